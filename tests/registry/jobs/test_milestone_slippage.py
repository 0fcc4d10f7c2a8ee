from datetime import date

import pytest

from registry.jobs import milestone_slippage
from tests.builders import REGULATOR, provider_of, seed
from tests.registry.jobs.events import at, days, notice_events, raised_per_notice, subjects

RY6 = provider_of("RY6")


@pytest.fixture
def scheduled(app):
    """RY6's Tripartite Formal Agreement is due on 30 March 2012, its business plan on
    30 September 2012."""
    seed(app)
    app.schedule_milestone({"provider": "RY6", "milestone": "tfa",
                            "target_date": "2012-03-30"}, RY6)
    app.schedule_milestone({"provider": "RY6", "milestone": "ibp_ltfm",
                            "target_date": "2012-09-30"}, RY6)
    return app


def slipped(milestone, due):
    return ("milestone_slipped", "RY6", milestone, due)


def test_a_clock_moved_across_targets_records_each_missed_target_once(scheduled):
    for day in days("2012-03-01", "2012-12-31", step=2):
        milestone_slippage(scheduled, at(day))
    assert subjects(scheduled) == [slipped("tfa", "2012-03-30"),
                                   slipped("ibp_ltfm", "2012-09-30")]
    assert set(raised_per_notice(scheduled).values()) == {1}
    assert [e.data["noticed_on"] for e in notice_events(scheduled, "Raised")] == [
        date(2012, 3, 31), date(2012, 10, 1)]


def test_running_twice_at_the_same_moment_records_nothing_new(scheduled):
    assert milestone_slippage(scheduled, at("2012-03-30")).recorded == 0
    assert milestone_slippage(scheduled, at("2012-03-31")).recorded == 1
    again = milestone_slippage(scheduled, at("2012-03-31"))
    assert (again.recorded, again.withdrawn) == (0, 0)


def test_a_slip_withdraws_the_notice_and_the_new_target_gets_its_own(scheduled):
    milestone_slippage(scheduled, at("2012-04-02"))
    scheduled.slip_milestone({"provider": "RY6", "milestone": "tfa",
                              "new_target": "2012-06-29"}, provider_of("RY6", "SHA review"))
    assert milestone_slippage(scheduled, at("2012-04-03")).withdrawn == 1
    milestone_slippage(scheduled, at("2012-06-30"))
    scheduled.achieve_milestone({"provider": "RY6", "milestone": "tfa",
                                 "achieved_on": "2012-07-05"}, RY6)
    milestone_slippage(scheduled, at("2012-07-06"))
    assert subjects(scheduled) == [slipped("tfa", "2012-03-30"), slipped("tfa", "2012-06-29")]
    assert [(e.data["because"], e.provenance["reason"])
            for e in notice_events(scheduled, "Withdrawn")] == [
        ("retargeted", "RY6's milestone tfa is now due on 2012-06-29"),
        ("achieved", "RY6's milestone tfa was achieved on 2012-07-05")]


def test_an_application_no_longer_in_progress_has_no_open_notices(scheduled):
    milestone_slippage(scheduled, at("2012-04-02"))
    scheduled.decide_application({"provider": "RY6", "decision": "withdrawn",
                                  "effective": "2012-05-01"},
                                 REGULATOR.because("the trust withdrew"))
    result = milestone_slippage(scheduled, at("2012-10-02"))
    assert (result.recorded, result.withdrawn) == (0, 1)
    [withdrawn] = notice_events(scheduled, "Withdrawn")
    assert (withdrawn.data["because"], withdrawn.provenance["reason"]) == (
        "not_in_progress", "the application of RY6 is withdrawn")
