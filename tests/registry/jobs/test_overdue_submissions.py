from datetime import date, timedelta

from config.settings import Settings
from config.storage import open_registry
from registry.jobs import overdue_submissions
from registry.jobs.overdue_submissions import configured_grace, expected_cells
from registry.periods import parse_period
from tests.builders import ADMIN, commissioner_of, provider_of, seed, wic
from tests.registry.jobs.conftest import award_walk_in
from tests.registry.jobs.events import at, days, notice_events, raised_per_notice, subjects


def overdue(*periods, provider="RY6"):
    return [("overdue_submission", provider, "WIC4H", "walk_in_centres", p, str(_due(p)))
            for p in periods]


def _due(period: str) -> date:
    return parse_period(period).end + timedelta(days=30)


def test_a_clock_moved_across_period_ends_records_each_overdue_figure_once(contracted):
    first_seen = {}
    for day in days("2018-11-01", "2020-01-31", step=4):
        result = overdue_submissions(contracted, at(day))
        for notice in notice_events(contracted, "Raised")[len(first_seen):]:
            first_seen[notice.data["period"]] = (day, notice.data["noticed_on"])
        assert result.job == "overdue_submissions"
    months = [f"2018-{m}" for m in (11, 12)] + [f"2019-{m:02d}" for m in range(1, 10)]
    assert subjects(contracted) == overdue(*months)
    assert set(raised_per_notice(contracted).values()) == {1}
    for period, (day, noticed_on) in first_seen.items():
        assert day > _due(period) and (day - _due(period)).days <= 4 and noticed_on == day
    assert notice_events(contracted, "Withdrawn") == []


def test_running_twice_at_the_same_moment_records_nothing_new(contracted):
    first = overdue_submissions(contracted, at("2019-02-01"))
    stored = len(notice_events(contracted))
    again = overdue_submissions(contracted, at("2019-02-01", hour=7))
    assert (first.recorded, first.withdrawn) == (2, 0)
    assert (again.recorded, again.withdrawn) == (0, 0)
    assert again.summary == "overdue_submissions on 2019-02-01: 0 recorded, 0 withdrawn, 2 open"
    assert len(notice_events(contracted)) == stored == 2


def test_nothing_is_overdue_within_the_grace_period(contracted):
    assert overdue_submissions(contracted, at("2018-12-30")).recorded == 0
    assert subjects(contracted) == []
    assert overdue_submissions(contracted, at("2018-12-31")).recorded == 1
    assert subjects(contracted) == overdue("2018-11")


def test_a_submission_arriving_withdraws_its_notice_and_withdrawing_it_reopens_it(contracted):
    overdue_submissions(contracted, at("2019-01-05"))
    contracted.submit(wic(period="2018-11"), provider_of("RY6"))
    result = overdue_submissions(contracted, at("2019-01-06"))
    assert (result.recorded, result.withdrawn) == (0, 1)
    [withdrawn] = notice_events(contracted, "Withdrawn")
    assert withdrawn.data["because"] == "submitted"
    assert withdrawn.provenance["reason"] == "RY6 WIC4H walk_in_centres 2018-11 was submitted"
    cell = wic(period="2018-11")
    del cell["numerator"], cell["denominator"]
    contracted.withdraw(cell, provider_of("RY6", "wrong month"))
    assert overdue_submissions(contracted, at("2019-01-07")).recorded == 1
    assert [e.event_type for e in notice_events(contracted)] == [
        "Raised", "Withdrawn", "Reopened"]
    assert overdue_submissions(contracted, at("2019-01-07")).recorded == 0


def test_a_novated_contract_expects_each_provider_for_its_own_months(contracted):
    contracted.novate_contract({"reference": "C1", "new_provider": "RYX",
                                "effective": "2019-01-01"}, commissioner_of("QWO", "merger"))
    overdue_submissions(contracted, at("2019-04-15"))
    assert subjects(contracted) == overdue("2018-11", "2018-12") + overdue(
        "2019-01", "2019-02", provider="RYX")


def test_no_figure_is_expected_before_anyone_reports_the_indicator(app):
    seed(app)
    award_walk_in(app)
    assert overdue_submissions(app, at("2019-06-01")).recorded == 0
    app.submit(wic(provider="RYX", period="2019-03"), provider_of("RYX"))
    overdue_submissions(app, at("2019-06-01"))
    assert subjects(app) == overdue("2019-03", "2019-04")


def test_the_grace_comes_from_REGISTRY_SUBMISSION_GRACE_DAYS(database_url, tmp_path):
    app = open_registry(Settings.from_env({
        "REGISTRY_DATABASE_URL": database_url, "REGISTRY_HOME": str(tmp_path),
        "REGISTRY_SUBMISSION_GRACE_DAYS": "10"}))
    try:
        seed(app)
        award_walk_in(app)
        app.submit(wic(provider="RY6", period="2018-10"), ADMIN)
        assert configured_grace(app) == 10
        assert overdue_submissions(app, at("2018-12-10")).recorded == 0
        assert overdue_submissions(app, at("2018-12-11")).recorded == 1
        assert notice_events(app, "Raised")[0].data["due"] == date(2018, 12, 10)
    finally:
        app.close()


CATALOGUE = {
    "HV": {"frequency": "quarterly", "retired": False, "last_period": None,
           "terms": [{"from": None, "service_lines": ["health_visiting"]},
                     {"from": "2019-Q2", "service_lines": ["health_visiting",
                                                           "school_nursing"]}]},
    "STAFF": {"frequency": "annual", "retired": False, "last_period": None,
              "terms": [{"from": None, "service_lines": ["all_services"]}]},
    "OLD": {"frequency": "quarterly", "retired": True, "last_period": "2018-Q3",
            "terms": [{"from": None, "service_lines": ["school_nursing"]}]},
    "NEW": {"frequency": "quarterly", "retired": False, "last_period": None,
            "terms": [{"from": None, "service_lines": ["school_nursing"]}]},
}


def test_expected_figures_follow_the_catalogue_as_in_force_for_each_period():
    stretches = [{"provider": "RY6", "service_line": line, "start": date(2018, 5, 1),
                  "end": date(2019, 12, 31), "reference": "C1"}
                 for line in ("health_visiting", "school_nursing")]
    first = {"HV": date(2018, 1, 1), "STAFF": date(2017, 4, 1), "OLD": date(2018, 1, 1)}
    cells = expected_cells(stretches, CATALOGUE, first, closed_by=date(2019, 9, 30))
    found = sorted((code, line, period.label) for _, code, line, period in cells)
    assert found == (
        [("HV", "health_visiting", q) for q in
         ("2018-Q2", "2018-Q3", "2018-Q4", "2019-Q1", "2019-Q2", "2019-Q3")]
        + [("HV", "school_nursing", q) for q in ("2019-Q2", "2019-Q3")]
        + [("OLD", "school_nursing", q) for q in ("2018-Q2", "2018-Q3")]
        + [("STAFF", "all_services", "2018/19")])
