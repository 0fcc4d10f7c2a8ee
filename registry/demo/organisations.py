"""Organisations: the ODS trusts extract, commissioners and regulators, walk-in providers,
and corrections to trusts the extract names without an opening date.
"""

from registry.demo import walk_in
from registry.demo.run import DemoRun, csv_bytes, data_file
from registry.imports import ImportOptions
from registry.imports.organisations import COLUMNS

ODS_EXTRACT = "ods_trusts_etr.csv"
OTHERS = "organisations.csv"
CORRECTIONS_FILE = "demo-ods-corrections.csv"

# Trusts formed by merger after the extract was taken: it lists them with no opening
# date and no region. Their opening dates are the dates of the mergers.
SUCCESSORS = {
    "R0A": ("2017-10-01", "Y54"),  # Manchester University NHS FT (RW3 + RM2)
    "R0B": ("2019-04-01", "Y54"),  # South Tyneside and Sunderland NHS FT (RE9 + RLN)
}
CORRECTION_REASON = (
    "the ODS extract predates these trusts and gives no opening date or region: "
    "opened on the date of the merger that formed them")


def load(run: DemoRun) -> None:
    steps = 4
    run.progress("organisations", 0, steps)
    run.import_file("organisations", ODS_EXTRACT, data_file(ODS_EXTRACT))
    run.progress("organisations", 1, steps)
    run.import_file("organisations", OTHERS, data_file(OTHERS))
    run.progress("organisations", 2, steps)
    walk_in.register_providers(run)
    run.progress("organisations", 3, steps)
    correct_successors(run)
    run.progress("organisations", 4, steps)


def correct_successors(run: DemoRun) -> None:
    """Restate R0A and R0B with their opening dates (an import with --restate)."""
    rows = []
    for code, (opened, region) in SUCCESSORS.items():
        stored = run.app.get_organisation(code)
        rows.append({"code": code, "name": stored["name"], "kind": stored["kind"],
                     "region": region, "opened": opened, "closed": None})
    run.import_file("organisations", CORRECTIONS_FILE, csv_bytes(COLUMNS, rows),
                    options=ImportOptions(restate=True, reason=CORRECTION_REASON))
