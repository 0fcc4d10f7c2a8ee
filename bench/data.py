"""The benchmark's data set: seeded, written as the CSV files ``registry import`` takes.

Organisations (the providers and the ICBs commissioning them), indicators, one contract
per provider, FT milestones for a quarter of the NHS trusts, then submissions month by
month in files of at most ``FILE_ROWS`` rows (one import, one transaction each; the
PostgreSQL driver is kept under the ~2,000-event save that hung over a socket). The same
seed always gives the same bytes, so both engines import identical files.
"""

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from bench.scale import Scale
from registry.demo.run import csv_bytes
from registry.imports import contracts, indicators, milestones, organisations, submissions

SEED = 20250
FILE_ROWS = 1000
FIRST_YEAR, FIRST_MONTH = 2015, 4
LINES = ("district_nursing", "health_visiting", "school_nursing", "audiology",
         "wheelchair_services", "diabetes_services", "walk_in_centres",
         "family_nurse_partnership", "urgent_community_response", "community_therapies",
         "podiatry")
REGIONS = ("Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63")
KINDS = (("nhs_trust", 0.4), ("foundation_trust", 0.3), ("cic", 0.15), ("independent", 0.15))
MEASURES = ("proportion", "rate", "mean", "count", "proportion")
ICBS_PER_REGION = 6


@dataclass
class DataSet:
    """Where the files are, in import order, and what they hold."""

    directory: Path
    reference: list[tuple[str, Path]] = field(default_factory=list)  # (kind, file)
    submission_files: list[Path] = field(default_factory=list)
    submissions: int = 0
    providers: int = 0
    series: int = 0

    def as_dict(self) -> dict:
        return {"directory": str(self.directory),
                "reference": [[k, str(p)] for k, p in self.reference],
                "submission_files": [str(p) for p in self.submission_files],
                "submissions": self.submissions, "providers": self.providers,
                "series": self.series}

    @classmethod
    def from_dict(cls, data: dict) -> "DataSet":
        return cls(Path(data["directory"]), [(k, Path(p)) for k, p in data["reference"]],
                   [Path(p) for p in data["submission_files"]], data["submissions"],
                   data["providers"], data["series"])


@dataclass(frozen=True)
class Series:
    provider: str
    indicator: str
    line: str
    measure: str
    level: float  # the provider's centre on the indicator's natural scale
    volume: float


def generate(scale: Scale, directory: Path, seed: int = SEED) -> DataSet:
    """Write the data set for ``scale`` under ``directory``; returns its manifest."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    data = DataSet(directory)
    icbs = [f"Q{r[1:]}{i:02d}" for r in REGIONS for i in range(1, ICBS_PER_REGION + 1)]
    providers = [_provider(rng, n) for n in range(1, scale.providers + 1)]
    data.providers = len(providers)
    inds = [_indicator(rng, n) for n in range(1, scale.indicators + 1)]
    delivers = {p["code"]: [line for line in LINES if rng.random() < scale.density]
                or [rng.choice(LINES)] for p in providers}

    orgs = [{"code": c, "name": f"Bench integrated care board {c}", "kind": "icb",
             "region": f"Y{c[1:3]}", "opened": "2013-04-01", "closed": ""} for c in icbs]
    data.reference.append(("organisations", _write(
        directory / "organisations.csv", organisations.COLUMNS, orgs + providers)))
    data.reference.append(("indicators", _write(directory / "indicators.csv",
                                                indicators.COLUMNS, inds)))
    awards = []
    for p in providers:
        annual = rng.randrange(1_000_000, 40_000_000, 50_000)
        awards.append({
            "reference": f"BENCH-{p['code']}-2015",
            "commissioner": f"Q{p['region'][1:]}{rng.randint(1, ICBS_PER_REGION):02d}",
            "provider": p["code"], "service_lines": ";".join(delivers[p["code"]]),
            "annual_value": annual, "total_value": 5 * annual, "start": "2015-04-01",
            "end": "2020-03-31", "route": rng.choice(("competitive_tender", "direct_award"))})
    data.reference.append(("contracts", _write(directory / "contracts.csv", contracts.COLUMNS,
                                               awards)))
    trusts = [p["code"] for p in providers if p["kind"] == "nhs_trust"]
    applicants = trusts[::4]
    data.reference.append(("milestones", _write(directory / "milestones.csv",
                                                milestones.COLUMNS, [
        row for code in applicants for row in (
            {"provider": code, "milestone": "tfa", "target_date": "2016-03-31",
             "achieved_date": "2016-03-31", "note": ""},
            {"provider": code, "milestone": "ibp_ltfm", "target_date": "2017-03-31",
             "achieved_date": "", "note": ""})])))

    series = [Series(p["code"], ind["code"], line, ind["measure"],
                     _level(rng, ind["measure"]), math.exp(rng.gauss(math.log(300), 0.6)))
              for ind in inds for line in ind["service_lines"].split(";")
              for p in providers if line in delivers[p["code"]]]
    data.series = len(series)
    folder = directory / "submissions"
    folder.mkdir(exist_ok=True)
    for month in range(scale.months):
        label = _period(month)
        rows = [_submission(rng, s, label, month) for s in series]
        for part, start in enumerate(range(0, len(rows), FILE_ROWS), start=1):
            name = folder / f"submissions-{label}-{part:02d}.csv"
            data.submission_files.append(
                _write(name, submissions.COLUMNS, rows[start:start + FILE_ROWS]))
        data.submissions += len(rows)
    return data


def _provider(rng, n: int) -> dict:
    draw, kind = rng.random(), KINDS[-1][0]
    for name, share in KINDS:
        if draw < share:
            kind = name
            break
        draw -= share
    return {"code": f"BP{n:04d}", "name": f"Bench community provider {n}", "kind": kind,
            "region": rng.choice(REGIONS), "opened": "2010-04-01", "closed": ""}


def _indicator(rng, n: int) -> dict:
    measure = MEASURES[(n - 1) % len(MEASURES)]
    start = (3 * (n - 1)) % len(LINES)
    lines = [LINES[(start + i) % len(LINES)] for i in range(3)]
    return {"code": f"BI{n:03d}", "name": f"Bench indicator {n} ({measure})",
            "domain": ("performance", "quality", "social_value")[n % 3],
            "subdomain": "", "service_lines": ";".join(lines), "measure": measure,
            "unit": {"proportion": "%", "rate": "per 1,000", "mean": "days",
                     "count": "incidents"}[measure],
            "multiplier": 1000 if measure == "rate" else "",
            "polarity": rng.choice(("higher", "lower")), "frequency": "monthly",
            "target": 90 if measure == "proportion" and n % 2 else ""}


def _level(rng, measure: str) -> float:
    if measure == "proportion":
        return min(0.98, max(0.05, rng.gauss(0.8, 0.08)))
    if measure == "rate":
        return math.exp(rng.gauss(math.log(12), 0.3))
    if measure == "mean":
        return math.exp(rng.gauss(math.log(20), 0.25))
    return math.exp(rng.gauss(math.log(15), 0.5))


def _period(month: int) -> str:
    index = FIRST_MONTH - 1 + month
    return f"{FIRST_YEAR + index // 12}-{index % 12 + 1:02d}"


def _submission(rng, s: Series, period: str, month: int) -> dict:
    row = {"provider": s.provider, "indicator": s.indicator, "service_line": s.line,
           "period": period}
    season = 1 + 0.08 * math.cos(2 * math.pi * (month % 12) / 12)
    volume = s.volume * season * math.exp(rng.gauss(0, 0.08))
    if s.measure == "proportion":
        den = max(1, round(volume))
        p = s.level
        num = round(rng.gauss(den * p, math.sqrt(den * p * (1 - p))))
        return {**row, "numerator": min(den, max(0, num)), "denominator": den}
    if s.measure == "rate":
        den = max(1, round(volume * 20))
        lam = den * s.level / 1000
        return {**row, "numerator": max(0, round(rng.gauss(lam, math.sqrt(lam)))),
                "denominator": den}
    if s.measure == "mean":
        n = max(2, round(volume))
        sd = s.level * rng.uniform(0.75, 1.05)
        value = max(0.5, rng.gauss(s.level, sd / math.sqrt(n)))
        return {**row, "value": f"{value:.1f}", "sd": f"{sd:.1f}", "n": n}
    lam = s.level * season
    return {**row, "value": max(0, round(rng.gauss(lam, math.sqrt(lam))))}


def _write(path: Path, columns: tuple[str, ...], rows: list[dict]) -> Path:
    path.write_bytes(csv_bytes(columns, rows))
    return path
