"""CSV imports: validate every row first, then store the whole file in one transaction.

Each kind of file has a module with its columns and a function applying one row
to the pending changes. A row that fails validation or a domain rule is reported
as ``row N: field: message``; if any row fails, nothing is stored. A row equal to
what is already stored is skipped, so importing the same file twice stores
nothing new; a row that differs is refused unless the import restates with a
reason.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from ledger.service import LedgerProblems, system_provenance
from registry.errors import InvalidInput, RegistryError
from registry.imports import contracts, indicators, milestones, organisations, submissions
from registry.imports.reader import (ImportRejected, RowError, check_widths, in_column_order,
                                     read_csv, take_header)
from registry.provenance import Provenance, Source

log = logging.getLogger("registry.imports")

KINDS = {
    "organisations": organisations,
    "indicators": indicators,
    "submissions": submissions,
    "contracts": contracts,
    "milestones": milestones,
}


@dataclass(frozen=True)
class ImportOptions:
    restate: bool = False
    reason: str | None = None


@dataclass
class ImportReport:
    kind: str
    file: str
    sha256: str
    rows: int
    events: int
    outcomes: Counter = field(default_factory=Counter)
    checkpoint: dict | None = None


def import_csv(app, kind: str, data: bytes, filename: str, provenance: Provenance,
               options: ImportOptions = ImportOptions(), progress=None) -> ImportReport:
    """Validate and store one file. Raises ImportRejected (nothing stored) on any bad row."""
    module = KINDS[kind]
    if options.restate and not (options.reason or "").strip():
        raise ImportRejected([RowError(None, "reason", "--restate needs --reason '...'")])
    table = read_csv(data, filename)
    _prepare(table, module)
    source = Source(file=filename, sha256=table.sha256)
    provenance = Provenance(actor=provenance.actor, channel="import", source=source,
                            reason=options.reason if options.restate else None)
    outcomes, errors = Counter(), []
    records = list(table.records(module.COLUMNS))
    if hasattr(module, "order"):
        records = module.order(records)
    with app.changes() as changes:
        if hasattr(module, "prefetch"):
            module.prefetch(changes, records)
        for done, (number, record) in enumerate(records, start=1):
            try:
                outcomes[module.apply(app, changes, record, provenance.at_row(number),
                                      options)] += 1
            except InvalidInput as error:
                errors += [RowError(number, f, " ".join(m)) for f, m in error.errors.items()]
            except RegistryError as error:
                errors.append(RowError(number, error.field, error.message))
            if progress:
                progress(done, len(records))
        if errors:
            raise ImportRejected(sorted(errors, key=lambda e: e.row or 0))
        events = changes.event_count()
    report = ImportReport(kind, filename, table.sha256, len(table.rows), events, outcomes)
    if events:
        refresh = getattr(app.recorder, "refresh_statistics", None)
        if refresh is not None:
            refresh()  # before the checkpoint reads the file's events back
        report.checkpoint = _checkpoint(app, filename)
    return report


def _checkpoint(app, filename: str) -> dict | None:
    """Sign the ledger after every stored import, so the file's events are provable."""
    ledger = getattr(app, "ledger", None)
    if ledger is None:
        return None
    try:
        return ledger.checkpoint(system_provenance("import", f"after importing {filename}"))
    except LedgerProblems as problems:
        log.error("import of %s stored; no checkpoint signed: %s", filename, problems)
        return None


def _prepare(table, module) -> None:
    if getattr(module, "is_headerless", lambda rows: False)(table.rows):
        table.rows = [(n, module.from_headerless(cells)) for n, cells in table.rows]
        return
    errors = take_header(table, module.COLUMNS)
    if not errors:
        errors = check_widths(table, len(module.COLUMNS))
    if errors:
        raise ImportRejected(errors)
    in_column_order(table, module.COLUMNS)
