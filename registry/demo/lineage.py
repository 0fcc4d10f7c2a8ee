"""Lineage: mergers, transfers of services and closures, recorded by the administrator.

The Manchester and Sunderland mergers are real; so is the abolition of CCGs in 2022.
The Liverpool Community Health transfers follow the A&E returns (RY1 reports its
walk-in centres until July 2018, Mersey Care RW4 from August 2018); the date of the
district nursing and therapies transfer is illustrative.
"""

from registry.demo import roster
from registry.demo.run import DemoRun

MERGERS = (
    ("RW3", "R0A", "2017-10-01",
     "Central Manchester University Hospitals NHS FT and University Hospital of South "
     "Manchester NHS FT merged to form Manchester University NHS FT"),
    ("RM2", "R0A", "2017-10-01",
     "Central Manchester University Hospitals NHS FT and University Hospital of South "
     "Manchester NHS FT merged to form Manchester University NHS FT"),
    ("RE9", "R0B", "2019-04-01",
     "South Tyneside NHS FT and City Hospitals Sunderland NHS FT merged to form South "
     "Tyneside and Sunderland NHS FT"),
    ("RLN", "R0B", "2019-04-01",
     "South Tyneside NHS FT and City Hospitals Sunderland NHS FT merged to form South "
     "Tyneside and Sunderland NHS FT"),
)
# After the 2017 novation of its walk-in centre contract (see contracts.py).
CCG_ABOLITION = ("14L", "QOP", "2022-07-01",
                 "CCGs were abolished on 1 July 2022; NHS Greater Manchester ICB took on "
                 "NHS Manchester CCG's commissioning")
TRANSFERS = (
    ("RY1", "RW4", ["district_nursing", "community_therapies"],
     roster.RY1_TRANSFER.isoformat(),
     "adult community services in Liverpool transferred to Mersey Care NHS FT"),
    ("RY1", "RW4", ["walk_in_centres"], roster.RY1_CLOSED.isoformat(),
     "walk-in centres transferred to Mersey Care NHS FT (A&E returns under RW4 from "
     "August 2018)"),
)
CLOSURES = (
    ("RY1", roster.RY1_CLOSED.isoformat(),
     "Liverpool Community Health NHS Trust dissolved after its services were transferred"),
)


def load(run: DemoRun) -> None:
    """Mergers, transfers and closures that submissions depend on."""
    steps = len(MERGERS) + len(TRANSFERS) + len(CLOSURES)
    done = 0
    run.progress("lineage", done, steps)
    for code, successor, effective, reason in MERGERS:
        run.app.merge_organisation(
            {"code": code, "successor": successor, "effective": effective},
            run.admin.because(reason))
        done += 1
        run.progress("lineage", done, steps)
    for code, recipient, lines, effective, reason in TRANSFERS:
        run.app.transfer_services(
            {"code": code, "recipient": recipient, "service_lines": lines,
             "effective": effective}, run.admin.because(reason))
        done += 1
        run.progress("lineage", done, steps)
    for code, effective, reason in CLOSURES:
        run.app.close_organisation({"code": code, "effective": effective},
                                   run.admin.because(reason))
        done += 1
        run.progress("lineage", done, steps)


def abolish_ccg(run: DemoRun) -> None:
    code, successor, effective, reason = CCG_ABOLITION
    run.app.merge_organisation({"code": code, "successor": successor, "effective": effective},
                               run.admin.because(reason))
