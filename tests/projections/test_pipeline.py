from datetime import UTC, date, datetime

import pytest

from projections.pipeline import pipeline_board, pipeline_row
from tests.builders import REGULATOR, provider_of, seed

RY6 = provider_of("RY6")


def schedule(app, milestone: str, target: str, provider: str = "RY6") -> None:
    app.schedule_milestone({"provider": provider, "milestone": milestone,
                            "target_date": target}, provider_of(provider))


def achieve(app, milestone: str, on: str, provider: str = "RY6") -> None:
    app.achieve_milestone({"provider": provider, "milestone": milestone,
                           "achieved_on": on}, provider_of(provider))


def slip(app, milestone: str, new_target: str, provider: str = "RY6") -> None:
    app.slip_milestone({"provider": provider, "milestone": milestone,
                        "new_target": new_target}, provider_of(provider, "delayed"))


@pytest.fixture
def started(app):
    """RY6 achieved its TFA late and slipped its business plan twice."""
    seed(app)
    schedule(app, "tfa", "2012-03-30")
    achieve(app, "tfa", "2012-04-20")
    schedule(app, "ibp_ltfm", "2013-03-31")
    slip(app, "ibp_ltfm", "2013-06-30")
    slip(app, "ibp_ltfm", "2013-09-30")
    return app


def by_code(row: dict) -> dict:
    return {m["code"]: m for m in row["milestones"]}


def test_a_row_shows_stage_targets_slips_and_slippage(started):
    started.read_side.catch_up()
    row = pipeline_row(started.read_side.store, "ry6", today=date(2013, 10, 1))
    assert (row["provider"], row["attempt"], row["pipeline"], row["status"]) == (
        "RY6", 1, "ft2011", "in_progress")
    assert (row["stage"], row["stage_label"]) == (
        "ibp_ltfm", "Five-year plan, Integrated Business Plan and Long-Term Financial Model")
    assert row["started"] == datetime.now(UTC).date().isoformat()
    milestones = by_code(row)
    assert [m["code"] for m in row["milestones"]][:3] == ["tfa", "ibp_ltfm",
                                                          "public_consultation"]
    assert milestones["tfa"] | {"label": None} == {
        "code": "tfa", "label": None, "target": "2012-03-30", "first_target": "2012-03-30",
        "achieved": "2012-04-20", "slips": 0, "slippage_days": 21, "overdue": False}
    assert (milestones["ibp_ltfm"]["first_target"], milestones["ibp_ltfm"]["target"],
            milestones["ibp_ltfm"]["slips"], milestones["ibp_ltfm"]["slippage_days"]) == (
        "2013-03-31", "2013-09-30", 2, 183)
    assert milestones["ibp_ltfm"]["overdue"] and row["overdue"] == 1
    assert milestones["public_consultation"]["target"] is None
    assert milestones["public_consultation"]["slippage_days"] is None
    assert (row["slips"], row["slippage_days"]) == (2, 204)
    assert pipeline_row(started.read_side.store, "RY6", today=date(2013, 9, 30))["overdue"] == 0
    assert pipeline_row(started.read_side.store, "RYX") is None


def test_as_of_shows_the_targets_known_before_a_slip(started):
    before = datetime.now(UTC)
    slip(started, "ibp_ltfm", "2014-03-31")
    started.read_side.catch_up()
    store = started.read_side.store
    then = pipeline_row(store, "RY6", as_of=before)
    assert (by_code(then)["ibp_ltfm"]["target"], then["slips"]) == ("2013-09-30", 2)
    now = pipeline_row(store, "RY6")
    assert (by_code(now)["ibp_ltfm"]["target"], now["slips"]) == ("2014-03-31", 3)
    recorded = datetime.fromisoformat(now["last_recorded_at"])
    assert pipeline_row(store, "RY6", as_of=recorded) == now
    assert pipeline_board(store, as_of=datetime(2000, 1, 1, tzinfo=UTC)) == []


def test_decisions_set_the_status_and_the_board_shows_each_provider_s_latest_attempt(started):
    schedule(started, "tfa", "2012-06-30", provider="RYX")
    started.decide_application({"provider": "RYX", "decision": "withdrawn",
                                "effective": "2013-01-31"}, REGULATOR.because("partnership"))
    before_second_attempt = datetime.now(UTC)
    schedule(started, "tfa", "2014-06-30", provider="RYX")
    started.read_side.catch_up()
    store = started.read_side.store
    board = pipeline_board(store, today=date(2013, 1, 1))
    assert [(r["provider"], r["attempt"], r["status"], r["stage"]) for r in board] == [
        ("RY6", 1, "in_progress", "ibp_ltfm"), ("RYX", 2, "in_progress", "tfa")]
    [withdrawn] = [r for r in pipeline_board(store, as_of=before_second_attempt)
                   if r["provider"] == "RYX"]
    assert (withdrawn["attempt"], withdrawn["status"], withdrawn["status_reason"]) == (
        1, "withdrawn", "partnership")
    assert withdrawn["overdue"] == 0


def test_deferral_resumption_and_authorisation(started):
    achieve(started, "ibp_ltfm", "2013-09-30")
    for milestone, on in (("public_consultation", "2013-10-31"),
                          ("cqc_inspection", "2014-01-31"), ("tda_board_support", "2014-03-31"),
                          ("monitor_submission", "2014-04-30")):
        achieve(started, milestone, on)
    started.decide_application({"provider": "RY6", "decision": "deferred",
                                "effective": "2014-06-01", "until": "2014-12-31"},
                               REGULATOR.because("financial model"))
    started.read_side.catch_up()
    deferred = pipeline_row(started.read_side.store, "RY6")
    assert (deferred["status"], deferred["deferred_until"], deferred["stage"]) == (
        "deferred", "2014-12-31", "monitor_assessment")
    started.decide_application({"provider": "RY6", "decision": "resumed",
                                "effective": "2015-01-05"}, REGULATOR.because("re-assess"))
    achieve(started, "monitor_assessment", "2015-03-31")
    started.decide_application({"provider": "RY6", "decision": "authorised",
                                "effective": "2015-04-01"}, REGULATOR)
    started.read_side.catch_up()
    row = pipeline_row(started.read_side.store, "RY6")
    assert (row["status"], row["authorised_on"], row["stage"], row["deferred_until"]) == (
        "authorised", "2015-04-01", None, None)
    assert row["status_changed_at"] == row["last_recorded_at"]


def test_a_rebuild_gives_the_same_board(started):
    started.decide_application({"provider": "RY6", "decision": "withdrawn",
                                "effective": "2014-01-31"}, REGULATOR.because("merger"))
    schedule(started, "tfa", "2015-03-31")
    started.read_side.page = 2
    started.read_side.catch_up()
    incremental = started.read_side.checksums("pipeline")
    before = pipeline_board(started.read_side.store)
    started.read_side.page = 500
    started.read_side.rebuild("pipeline")
    assert started.read_side.checksums("pipeline") == incremental
    assert pipeline_board(started.read_side.store) == before
    pipeline = started.read_side.projections["pipeline"]
    assert pipeline.read_only == ("FTApplication",)
    pipeline.set_based = False  # every row read, the other aggregates' passed over by apply
    started.read_side.rebuild("pipeline")
    assert started.read_side.checksums("pipeline") == incremental
