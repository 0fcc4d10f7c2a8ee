"""The state of one demo load: the application, who acts, progress and the running counts.

Every fact goes through the application's commands or ``import_csv``; this module
only builds the provenance for the actors of the demo and keeps count.
"""

import csv
import io
import random
from dataclasses import dataclass
from importlib import resources

from registry.imports import ImportOptions, ImportReport, import_csv
from registry.provenance import Actor, Provenance

SEED = 2016


def data_file(name: str) -> bytes:
    """The bytes of a file committed under ``registry/demo/data/``."""
    return resources.files("registry.demo").joinpath("data").joinpath(name).read_bytes()


def data_rows(name: str) -> list[dict]:
    """A committed CSV file with a header row, as dicts."""
    return list(csv.DictReader(io.StringIO(data_file(name).decode("utf-8"))))


def csv_bytes(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    """An in-memory CSV file (UTF-8, header row, LF line ends) of ``rows``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})
    return out.getvalue().encode("utf-8")


@dataclass
class DemoSummary:
    """What ``load_demo`` stored."""

    organisations: int = 0
    indicators: int = 0
    submissions: int = 0
    restatements: int = 0
    withdrawals: int = 0
    contracts: int = 0
    ft_applications: int = 0
    events: int = 0
    data_queries: int = 0
    files: int = 0
    seconds: float = 0.0
    read_model_seconds: float = 0.0

    COUNTS = (("organisations", "organisations"), ("indicators", "indicators"),
              ("submissions", "submissions"), ("restatements", "restatements"),
              ("withdrawals", "withdrawals"), ("data_queries", "data queries"),
              ("contracts", "contracts"), ("ft_applications", "FT applications"))

    def lines(self) -> list[str]:
        timing = f"in {self.seconds:.1f} s"
        if self.read_model_seconds:
            timing += f" ({self.read_model_seconds:.1f} s of it updating the read models)"
        counts = ", ".join(f"{getattr(self, name):,} {label}" for name, label in self.COUNTS)
        return [
            f"Demo data loaded: {self.events:,} events from {self.files} import files "
            f"and scripted commands {timing}.",
            counts[0].upper() + counts[1:] + ".",
            "Walk-in centre figures are real (NHS England); the other figures are "
            "simulated - see registry/demo/data/README.md.",
        ]


class DemoRun:
    def __init__(self, app, actor: Actor, progress=None):
        self.app = app
        self.actor = actor
        self.admin = Provenance(actor, "cli")
        self.summary = DemoSummary()
        self.rng = random.Random(SEED)
        self._progress = progress

    # -- progress ----------------------------------------------------------------------
    def progress(self, step: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(step, done, total)

    # -- actors ------------------------------------------------------------------------
    def provider(self, code: str, channel: str = "cli") -> Provenance:
        return Provenance(Actor(f"demo.provider@{code}", code, "provider"), channel)

    def commissioner(self, code: str) -> Provenance:
        return Provenance(Actor(f"demo.commissioner@{code}", code, "commissioner"), "cli")

    def regulator(self, code: str) -> Provenance:
        return Provenance(Actor(f"demo.analyst@{code}", code, "regulator"), "cli")

    # -- imports -----------------------------------------------------------------------
    def import_file(self, kind: str, filename: str, data: bytes,
                    provenance: Provenance | None = None,
                    options: ImportOptions = ImportOptions()) -> ImportReport:
        report = import_csv(self.app, kind, data, filename, provenance or self.admin,
                            options)
        self.summary.files += 1
        outcomes = report.outcomes
        self.summary.organisations += outcomes["registered"]
        self.summary.indicators += outcomes["defined"]
        self.summary.submissions += outcomes["submitted"]
        self.summary.restatements += outcomes["restated"]
        self.summary.contracts += outcomes["awarded"]
        return report

    def import_files(self, step: str, kind: str, files: list[tuple[str, bytes]],
                     provenance: Provenance | None = None) -> None:
        """Import several generated files, reporting progress in rows."""
        sizes = [data.count(b"\n") - 1 for _, data in files]
        total, done = sum(sizes), 0
        self.progress(step, 0, total)
        for (name, data), size in zip(files, sizes):
            self.import_file(kind, name, data, provenance)
            done += size
            self.progress(step, done, total)
