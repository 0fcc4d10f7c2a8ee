"""The foundation-trust pipeline (FT 2011: TDA then Monitor) for twelve aspirant
community NHS trusts, 2012-2016. Illustrative: the trusts are real, their milestone
dates and outcomes here are not their actual histories.

Two milestone files give the position at 31 March 2014 (targets agreed in the
Tripartite Formal Agreements, achievements to date) and at 31 March 2016 (moved
targets with their reasons, later achievements). Slips reported by trusts between
returns, and the regulators' decisions, are commands.
"""

from registry.demo.run import DemoRun, data_file, data_rows

MILESTONE_FILES = ("ft_milestones_2014.csv", "ft_milestones_2016.csv")

SLIPS = (  # provider, milestone, new target, reason (reported by the trust itself)
    ("RY4", "cqc_inspection", "2016-01-31",
     "CQC re-inspection of the community inpatient wards is needed before a rating"),
    ("RY3", "tda_board_support", "2015-10-31",
     "TDA board-to-board moved after the appointment of a new chief executive"),
    ("RY3", "monitor_submission", "2015-12-31", "moved with the TDA board-to-board"),
    ("RY3", "monitor_assessment", "2016-06-30", "moved with the TDA board-to-board"),
)
AUTHORISED = ("RYV", "2015-10-01", "Cambridgeshire Community Services NHS Foundation Trust",
              "Monitor's board authorised the trust as an NHS foundation trust")
DEFERRED = ("RYX", "2015-11-26", "2016-06-30",
            "Monitor deferred its decision: the long-term financial model did not show a "
            "sustainable position under the 2016/17 tariff; to be re-assessed on the "
            "2016/17 plan")
WITHDRAWN = ("R1E", "2015-02-27",
             "the trust withdrew its application to pursue a partnership with a "
             "neighbouring foundation trust")


def applicants() -> list[str]:
    return sorted({row["provider"] for row in data_rows(MILESTONE_FILES[0])})


def load(run: DemoRun) -> None:
    app = run.app
    steps = len(MILESTONE_FILES) + len(SLIPS) + 4
    done = 0

    def tick():
        nonlocal done
        done += 1
        run.progress("FT pipeline", done, steps)

    run.progress("FT pipeline", 0, steps)
    for name in MILESTONE_FILES:
        run.import_file("milestones", name, data_file(name))
        tick()
    for provider, milestone, new_target, reason in SLIPS:
        app.slip_milestone({"provider": provider, "milestone": milestone,
                            "new_target": new_target},
                           run.provider(provider).because(reason))
        tick()
    monitor, tda = run.regulator("MONITOR"), run.regulator("NTDA")
    provider, effective, new_name, reason = AUTHORISED
    app.decide_application({"provider": provider, "decision": "authorised",
                            "effective": effective}, monitor.because(reason))
    tick()
    app.rename_organisation({"code": provider, "name": new_name, "effective": effective},
                            run.admin.because("authorised as an NHS foundation trust"))
    tick()
    provider, effective, until, reason = DEFERRED
    app.decide_application({"provider": provider, "decision": "deferred",
                            "effective": effective, "until": until},
                           monitor.because(reason))
    tick()
    provider, effective, reason = WITHDRAWN
    app.decide_application({"provider": provider, "decision": "withdrawn",
                            "effective": effective}, tda.because(reason))
    tick()
    run.summary.ft_applications += sum(
        1 for code in applicants() if app.get_ft_application(code) is not None)
