from datetime import UTC, date, datetime

import pytest

from projections.eventlog import read_range
from projections.expectations import catalogue, deliveries, stretches
from projections.notices import notice_history, open_counts, open_notices
from registry.jobs import contract_expiry, milestone_slippage, overdue_submissions
from tests.builders import ADMIN, commissioner_of, provider_of, seed, wic
from tests.registry.jobs.events import at

QWO = commissioner_of("QWO")


@pytest.fixture
def noticed(app):
    """RY6 runs QWO's walk-in centre (Oct 2018 - Sep 2019); the jobs ran on 5 January 2019
    (November overdue, 12 months to the end), then RY6 sent November's figure."""
    seed(app)
    app.award_contract({"reference": "C1", "commissioner": "QWO", "provider": "RY6",
                        "service_lines": "walk_in_centres", "annual_value": "1",
                        "total_value": "1", "start": "2018-10-01", "end": "2019-09-30",
                        "route": "direct_award"}, QWO)
    app.submit(wic(period="2018-10"), provider_of("RY6"))
    overdue_submissions(app, at("2019-01-05"))
    contract_expiry(app, at("2019-01-05"))
    app.read_side.catch_up()
    app.before_arrival = datetime.now(UTC)
    app.submit(wic(period="2018-11"), provider_of("RY6"))
    overdue_submissions(app, at("2019-01-06"))
    app.read_side.catch_up()
    return app


def test_open_notices_by_kind_and_organisation_now_and_as_known_before(noticed):
    store = noticed.read_side.store
    [expiry] = open_notices(store)
    assert (expiry["kind"], expiry["organisation"], expiry["provider"], expiry["contract"],
            expiry["months_before"], expiry["due"], expiry["raised_on"]) == (
        "contract_expiry", "QWO", "RY6", "C1", 12, "2019-09-30", "2019-01-05")
    assert open_notices(store, organisation="ry6") == [expiry]
    assert open_notices(store, kind="overdue_submission") == []
    then = open_notices(store, kind="overdue_submission", as_of=noticed.before_arrival)
    assert [(n["provider"], n["indicator"], n["period"], n["due"]) for n in then] == [
        ("RY6", "WIC4H", "2018-11", "2018-12-30")]
    assert open_notices(store, organisation="RYX") == []
    assert open_counts(store) == {"contract_expiry": 1}
    assert open_counts(store, as_of=noticed.before_arrival) == {
        "contract_expiry": 1, "overdue_submission": 1}


def test_a_notices_history_lists_each_of_its_events(noticed):
    store = noticed.read_side.store
    [overdue] = open_notices(store, kind="overdue_submission", as_of=noticed.before_arrival)
    versions = notice_history(store, overdue["aggregate_id"])
    assert [(v["event_type"], v["status"], v["noticed_on"], v["because"]) for v in versions] == [
        ("Raised", "open", "2019-01-05", None),
        ("Withdrawn", "withdrawn", "2019-01-06", "submitted")]
    assert versions[1]["reason"] == "RY6 WIC4H walk_in_centres 2018-11 was submitted"
    assert versions[0]["raised_at"] == versions[1]["raised_at"] < versions[1]["recorded_at"]


def test_deliveries_follow_novations_variations_extensions_and_terminations(noticed):
    noticed.novate_contract({"reference": "C1", "new_provider": "RYX",
                             "effective": "2019-01-01"}, commissioner_of("QWO", "merger"))
    noticed.vary_contract({"reference": "C1", "effective": "2019-04-01",
                           "service_lines": "walk_in_centres;podiatry"},
                          commissioner_of("QWO", "podiatry added"))
    noticed.extend_contract({"reference": "C1", "new_end": "2020-09-30",
                             "additional_value": "1"}, QWO)
    noticed.terminate_contract({"reference": "C1", "effective": "2020-03-31"},
                               commissioner_of("QWO", "ended early"))
    noticed.read_side.catch_up()
    with noticed.read_side.store.reading() as cursor:
        found = [(d["provider"], d["service_line"], str(d["start"]), str(d["end"]))
                 for d in deliveries(cursor)]
    assert found == [
        ("RY6", "walk_in_centres", "2018-10-01", "2018-12-31"),
        ("RYX", "podiatry", "2019-04-01", "2020-03-31"),
        ("RYX", "walk_in_centres", "2019-01-01", "2019-03-31"),
        ("RYX", "walk_in_centres", "2019-04-01", "2020-03-31")]


def test_stretches_sort_changes_by_effective_date_and_drop_those_after_a_termination():
    state = {"provider": "A", "service_lines": ["x"], "start": "2020-01-01",
             "end": "2022-12-31", "terminated": "2021-06-30",
             "changes": [{"effective": "2021-09-01", "provider": "C"},
                         {"effective": "2020-07-01", "provider": "B"},
                         {"effective": "2020-07-01", "service_lines": ["x", "y"]}]}
    assert stretches(state) == [
        ("A", ["x"], date(2020, 1, 1), date(2020, 6, 30)),
        ("B", ["x", "y"], date(2020, 7, 1), date(2021, 6, 30))]


def test_the_catalogue_keeps_service_line_terms_and_retirement(app):
    seed(app)
    app.revise_indicator({"code": "PU1000", "effective_period": "2019-Q2",
                          "service_lines": "district_nursing;community_therapies"},
                         ADMIN.because("extended to therapies"))
    app.retire_indicator({"code": "WAITD", "last_period": "2019/20"},
                         ADMIN.because("replaced"))
    app.read_side.catch_up()
    with app.read_side.store.reading() as cursor:
        found = catalogue(cursor)
    assert found["PU1000"]["terms"] == [
        {"from": None, "service_lines": ["district_nursing"]},
        {"from": "2019-Q2", "service_lines": ["district_nursing", "community_therapies"]}]
    assert (found["WAITD"]["retired"], found["WAITD"]["last_period"]) == (True, "2019/20")
    assert found["WIC4H"] == {"frequency": "monthly", "retired": False, "last_period": None,
                              "terms": [{"from": None, "service_lines": ["walk_in_centres"]}]}


def _changed_and_noticed(noticed):
    """A novation, a retired indicator, a withdrawn figure, and the jobs run again."""
    noticed.novate_contract({"reference": "C1", "new_provider": "RYX",
                             "effective": "2019-03-01"}, commissioner_of("QWO", "merger"))
    noticed.retire_indicator({"code": "PU1000"}, ADMIN.because("replaced"))
    cell = wic(period="2018-11")
    del cell["numerator"], cell["denominator"]
    noticed.withdraw(cell, provider_of("RY6", "wrong month"))
    for day in ("2019-05-01", "2019-07-01", "2019-10-01"):
        for job in (overdue_submissions, contract_expiry, milestone_slippage):
            job(noticed, at(day))


@pytest.mark.parametrize("name", ["notices", "contracts"])
def test_a_rebuild_reading_only_its_aggregates_rows_equals_one_reading_every_row(noticed,
                                                                                  name):
    _changed_and_noticed(noticed)
    runner = noticed.read_side
    projection = runner.projections[name]
    assert projection.read_only
    projection.set_based = False  # every row read, the others passed over by apply
    runner.rebuild(name)
    every_row = runner.checksums(name)
    projection.set_based = True
    runner.rebuild(name)
    assert runner.checksums(name) == every_row
    total = runner.store.events_after(0)
    last, count, page = read_range(noticed, runner.store, 0, total, (),
                                   only=projection.aggregates)
    assert count == total and last == runner.store.query(
        f"SELECT MAX({runner.store.events_position}) AS m FROM "
        f"{runner.store.events_table}")[0]["m"]
    assert page and {e.aggregate_type for e in page} <= set(projection.aggregates)
    assert len(page) < count  # submissions and the other aggregates' events were not read
    positions = [e.position for e in page]
    assert positions == sorted(positions)


def test_a_rebuild_gives_the_same_notices_read_model(noticed):
    _changed_and_noticed(noticed)
    runner = noticed.read_side
    runner.catch_up()
    before = runner.checksums()
    runner.rebuild("notices")
    assert runner.checksums() == before
    runner.rebuild()
    assert runner.checksums() == before
    assert open_counts(runner.store)["overdue_submission"] == 4 + 6  # RY6 to Feb, RYX Mar-Aug
