"""Organisations: the ODS trusts extract, commissioners and regulators, walk-in providers,
and corrections (imported with --restate) of what the extract leaves out.
"""

from registry.demo import walk_in
from registry.demo.run import DemoRun, csv_bytes, data_file
from registry.imports import ImportOptions
from registry.imports.organisations import COLUMNS

ODS_EXTRACT = "ods_trusts_etr.csv"
OTHERS = "organisations.csv"
SUCCESSORS_FILE = "demo-ods-corrections-successors.csv"
KINDS_FILE = "demo-ods-corrections-kinds.csv"

# Trusts formed by merger after the extract was taken: it lists them with no opening
# date and no region. Their opening dates are the dates of the mergers.
SUCCESSORS = {
    "R0A": ("2017-10-01", "Y54"),  # Manchester University NHS FT (RW3 + RM2)
    "R0B": ("2019-04-01", "Y54"),  # South Tyneside and Sunderland NHS FT (RE9 + RLN)
}
SUCCESSORS_REASON = (
    "the ODS extract predates these trusts and gives no opening date or region: "
    "opened on the date of the merger that formed them")
# The extract has no trust type; the importer infers it from the name, and reads these
# mental-health trusts (which run community services in the demo) as acute trusts.
MENTAL_HEALTH = ("RW1", "RNU", "RW4")
KINDS_REASON = ("mental-health trusts recorded as acute trusts: the ODS extract has no "
                "trust type and the name gave none")


def load(run: DemoRun) -> None:
    steps = 5
    run.progress("organisations", 0, steps)
    run.import_file("organisations", ODS_EXTRACT, data_file(ODS_EXTRACT))
    run.progress("organisations", 1, steps)
    run.import_file("organisations", OTHERS, data_file(OTHERS))
    run.progress("organisations", 2, steps)
    walk_in.register_providers(run)
    run.progress("organisations", 3, steps)
    correct(run, SUCCESSORS_FILE, SUCCESSORS_REASON,
            {code: {"opened": opened, "region": region}
             for code, (opened, region) in SUCCESSORS.items()})
    run.progress("organisations", 4, steps)
    correct(run, KINDS_FILE, KINDS_REASON,
            {code: {"kind": "mental_health_trust"} for code in MENTAL_HEALTH})
    run.progress("organisations", 5, steps)


def correct(run: DemoRun, filename: str, reason: str, changes: dict[str, dict]) -> None:
    """Correct registration details by importing the stored rows, changed, with --restate."""
    rows = []
    for code, changed in changes.items():
        stored = run.app.get_organisation(code)
        row = {name: stored[name] for name in COLUMNS}
        rows.append({**row, **changed})
    run.import_file("organisations", filename, csv_bytes(COLUMNS, rows),
                    options=ImportOptions(restate=True, reason=reason))
