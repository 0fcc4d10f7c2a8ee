"""Real walk-in centre data: NHS England A&E attendances of type 'other', 2016-04..2019-03.

Each row becomes a WIC4H submission: numerator = attendances - breaches (seen within
4 hours), denominator = attendances, period YYYY-MM, service line walk_in_centres.
Providers not in the ODS trusts extract (independent-sector, GP-led and other
providers) are registered as independent providers under placeholder names.
"""

import csv
import io

from registry.demo.generated import fy
from registry.demo.run import DemoRun, csv_bytes, data_file
from registry.imports.organisations import COLUMNS as ORGANISATION_COLUMNS
from registry.imports.submissions import COLUMNS as SUBMISSION_COLUMNS

SOURCE = "ae_walk_in_centres.csv"
ODS_EXTRACT = "ods_trusts_etr.csv"
INDICATOR, SERVICE_LINE = "WIC4H", "walk_in_centres"
PROVIDERS_FILE = "demo-walk-in-providers.csv"


def source_rows() -> list[dict]:
    """The committed source rows (period,org_code,type,attendances,breaches,admissions)."""
    text = data_file(SOURCE).decode("utf-8")
    return [row for row in csv.DictReader(io.StringIO(text))
            if row["type"] == "other" and int(row["attendances"]) > 0]


def submission(row: dict) -> dict:
    attendances, breaches = int(row["attendances"]), int(row["breaches"])
    return {"provider": row["org_code"], "indicator": INDICATOR,
            "service_line": SERVICE_LINE, "period": row["period"][:7],
            "numerator": attendances - breaches, "denominator": attendances}


def ods_codes() -> set[str]:
    text = data_file(ODS_EXTRACT).decode("utf-8")
    return {cells[0].strip().upper() for cells in csv.reader(io.StringIO(text)) if cells}


def placeholder_providers() -> list[dict]:
    """Walk-in providers missing from the ODS extract, as organisations rows."""
    known = ods_codes()
    codes = sorted({row["org_code"] for row in source_rows()} - known)
    return [{"code": code, "kind": "independent",
             "name": f"Walk-in centre provider {code} (name not in the ODS extract)"}
            for code in codes]


def register_providers(run: DemoRun) -> None:
    rows = placeholder_providers()
    run.import_file("organisations", PROVIDERS_FILE,
                    csv_bytes(ORGANISATION_COLUMNS, rows))


def files() -> list[tuple[str, bytes]]:
    """One file per financial year: demo-submissions-WIC4H-2016-17.csv ..."""
    groups: dict[str, list[dict]] = {}
    for row in source_rows():
        cell = submission(row)
        groups.setdefault(f"demo-submissions-{INDICATOR}-{fy(cell['period'])}.csv",
                          []).append(cell)
    return [(name, csv_bytes(SUBMISSION_COLUMNS, rows))
            for name, rows in sorted(groups.items())]


def load(run: DemoRun) -> None:
    run.import_files("walk-in centres", "submissions", files())
