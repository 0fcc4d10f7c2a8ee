"""Contracts: awarded by import (``data/contracts.csv``, by the administrator), then
varied, extended, novated, terminated and reviewed by their commissioners.

Local authorities let the 0-19 public-health contracts from 2016; ICBs the community
services block contracts from July 2022. References, values and decisions are
illustrative.
"""

from registry.demo import lineage
from registry.demo.run import DemoRun, data_file

CONTRACTS_FILE = "contracts.csv"
MERGER = ("Central Manchester University Hospitals NHS FT and University Hospital of "
          "South Manchester NHS FT merged into Manchester University NHS FT (R0A)")

NOVATIONS = (  # reference, commissioner, new provider, effective, reason
    ("MANC-WIC-2017", "14L", "R0A", "2017-10-01", MERGER),
    ("MCC-0-19-SOUTH-2017", "E08000003", "R0A", "2017-10-01", MERGER),
)
VARIATIONS = (  # reference, commissioner, changes, reason
    ("QMJ-CS-2022", "QMJ",
     {"effective": "2023-10-01",
      "service_lines": "district_nursing;community_therapies;urgent_community_response;"
                       "podiatry",
      "annual_value": "101300000", "total_value": "297900000"},
     "podiatry added from October 2023 after the North Central London foot-health review"),
)
EXTENSIONS = (  # reference, commissioner, new end, additional value, reason
    ("LCC-0-19-2016", "E08000035", "2021-03-31", "35700000",
     "two-year extension option taken up while the 0-19 service model is redesigned"),
    ("QJ2-CS-2022", "QJ2", "2027-06-30", "242000000",
     "two-year extension option taken up (clause B3 of the particulars)"),
)
TERMINATIONS = (  # reference, commissioner, effective, reason
    ("HANTS-SN-2018", "E10000014", "2020-03-31",
     "ended early by mutual agreement: the provider could not recruit enough school "
     "nurses to deliver the specification; the service is being re-procured"),
)
REVIEWS = (  # reference, commissioner, due by, decision, reason
    ("HCC-0-19-2016", "E10000015", "2018-09-30", "re_tender",
     "the council is combining health visiting and school nursing with its early-help "
     "offer in one 0-19 contract"),
    ("QWO-CS-2022", "QWO", "2024-12-31", "renew",
     "the incumbent was assessed against the key criteria of the NHS Provider Selection "
     "Regime and met them; renew for three years"),
    ("QM7-CS-2022", "QM7", "2024-12-31", "re_tender",
     "the ICB is moving to one lead provider for community services across its area; "
     "the contract is re-tendered on that basis"),
    ("QOP-DSE-2022", "QOP", "2025-03-31", "decommission",
     "structured education to be delivered by the integrated neighbourhood teams; the "
     "stand-alone service is decommissioned at expiry"),
)


def award(run: DemoRun) -> None:
    run.progress("contracts", 0, 1)
    run.import_file("contracts", CONTRACTS_FILE, data_file(CONTRACTS_FILE))
    run.progress("contracts", 1, 1)


def manage(run: DemoRun) -> None:
    """Novation after the Manchester merger, then variations, extensions, terminations
    and renewal reviews, each by the contract's commissioner."""
    app = run.app
    steps = (len(NOVATIONS) + 1 + len(VARIATIONS) + len(EXTENSIONS) + len(TERMINATIONS)
             + len(REVIEWS))
    done = 0

    def tick():
        nonlocal done
        done += 1
        run.progress("contract changes", done, steps)

    run.progress("contract changes", 0, steps)
    for reference, commissioner, provider, effective, reason in NOVATIONS:
        app.novate_contract({"reference": reference, "new_provider": provider,
                             "effective": effective},
                            run.commissioner(commissioner).because(reason))
        tick()
    lineage.abolish_ccg(run)
    tick()
    for reference, commissioner, changes, reason in VARIATIONS:
        app.vary_contract({"reference": reference, **changes},
                          run.commissioner(commissioner).because(reason))
        tick()
    for reference, commissioner, new_end, value, reason in EXTENSIONS:
        app.extend_contract({"reference": reference, "new_end": new_end,
                             "additional_value": value},
                            run.commissioner(commissioner).because(reason))
        tick()
    for reference, commissioner, effective, reason in TERMINATIONS:
        app.terminate_contract({"reference": reference, "effective": effective},
                               run.commissioner(commissioner).because(reason))
        tick()
    for reference, commissioner, due_by, decision, reason in REVIEWS:
        who = run.commissioner(commissioner)
        app.open_renewal_review({"reference": reference, "due_by": due_by}, who)
        app.decide_renewal({"reference": reference, "decision": decision},
                           who.because(reason))
        tick()
