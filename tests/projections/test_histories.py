from datetime import datetime, timezone

import eventsourcing.domain
import pytest

from projections.engine import ProjectionFailed
from projections.eventlog import plain, read_events
from projections.histories import history, lineage
from tests.builders import ADMIN, provider_of, seed, wic


def test_a_history_lists_what_concerns_the_organisation_with_provenance(app):
    seed(app)
    app.submit(wic(), provider_of("RY6"))
    app.read_side.catch_up()
    events = history(app.read_side.store, "RY6")
    assert [e["event"] for e in events] == ["Registered", "Submitted"]
    assert events[1]["provenance"]["actor"]["organisation"] == "RY6"
    assert events[1]["organisations"] == ["RY6"]


def test_a_successor_history_follows_its_predecessors(app):
    seed(app)
    app.submit(wic(provider="RYX"), provider_of("RYX"))
    before_merger = datetime.now(timezone.utc)
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger"))
    app.read_side.catch_up()
    store = app.read_side.store
    assert lineage(store, "RY2") == ["RY2", "RYX"]
    events = history(store, "RY2")
    assert [(e["aggregate"], e["event"]) for e in events] == [
        ("Organisation", "Registered"), ("Organisation", "Registered"),
        ("Submission", "Submitted"), ("Organisation", "Merged")]
    assert lineage(store, "RY2", as_of=before_merger) == ["RY2"]
    assert [e["event"] for e in history(store, "RY2", as_of=before_merger)] == ["Registered"]


def _novated_contract(app, new_provider: str) -> None:
    """Contract C1 awarded by QWO to RY6, then novated to ``new_provider``."""
    app.award_contract({"reference": "C1", "commissioner": "QWO", "provider": "RY6",
                        "service_lines": "district_nursing", "annual_value": "1",
                        "total_value": "3", "start": "2022-07-01", "end": "2025-06-30",
                        "route": "direct_award"}, ADMIN)
    app.novate_contract({"reference": "C1", "new_provider": new_provider,
                         "effective": "2023-01-01"}, ADMIN.because("transfer"))


def test_a_novated_contract_concerns_the_new_provider_from_then_on(app):
    seed(app)
    _novated_contract(app, "RYX")
    app.vary_contract({"reference": "C1", "effective": "2023-06-01", "annual_value": "2"},
                      ADMIN.because("uplift"))
    app.read_side.catch_up()
    store = app.read_side.store
    assert [e["event"] for e in history(store, "RYX") if e["aggregate"] == "Contract"] == [
        "Novated", "Varied"]
    assert [e["event"] for e in history(store, "RY6") if e["aggregate"] == "Contract"] == [
        "Awarded", "Novated", "Varied"]


def test_history_records_are_the_events_as_the_library_decodes_them(app):
    seed(app)
    app.submit(wic(provider="RYX"), provider_of("RYX"))
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger"))
    app.read_side.catch_up()
    decoded = {e.position: plain(e.as_dict(plain_values=False)) for e in read_events(app)}
    events = history(app.read_side.store, "RY2")
    assert len(events) == 4
    for record in events:
        organisations = record.pop("organisations")
        assert record == decoded[record["position"]]
        assert "RY2" in organisations or "RYX" in organisations


def _busy_history(app) -> None:
    """Submissions, one restated and one withdrawn, a merger, a contract novated."""
    seed(app)
    for provider in ("RY6", "RYX", "RY2"):
        for period in ("2018-11", "2018-12"):
            app.submit(wic(provider=provider, period=period), provider_of(provider))
    app.restate(wic(numerator=50), provider_of("RY6", "correction"))
    withdrawn = wic(provider="RYX", period="2018-11")
    del withdrawn["numerator"], withdrawn["denominator"]
    app.withdraw(withdrawn, ADMIN.because("withdrawn"))
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger"))
    app.submit(wic(provider="RY2", period="2019-01"), provider_of("RY2"))
    _novated_contract(app, "RY2")


def _rows(store, table: str) -> list[tuple]:
    return [tuple(r.values()) for r in store.query(f"SELECT * FROM {table} ORDER BY 1, 2")]


@pytest.mark.parametrize("page", [3, 1000])
def test_submissions_filed_by_sql_are_the_rows_event_by_event_filing_writes(app, page):
    _busy_history(app)
    runner = app.read_side
    runner.page = page
    runner.rebuild("histories")
    by_sql = {t: _rows(runner.store, t) for t in ("history_events", "history_lineage",
                                                  "history_subjects")}
    assert len(by_sql["history_events"]) > 10 and by_sql["history_lineage"]
    runner.projections["histories"].set_based = False
    runner.rebuild("histories")
    assert _rows(runner.store, "history_events") == by_sql["history_events"]
    assert _rows(runner.store, "history_lineage") == by_sql["history_lineage"]
    # Event by event, submissions have subject rows too; set-based filing reads their
    # providers from the log instead.
    assert set(by_sql["history_subjects"]) < set(_rows(runner.store, "history_subjects"))


def test_a_submission_recorded_on_the_second_is_filed_with_its_stamp(app, monkeypatch):
    seed(app)
    on_the_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo",
                        lambda: on_the_second)
    app.submit(wic(), provider_of("RY6"))
    monkeypatch.undo()
    app.submit(wic(period="2018-11"), provider_of("RY6"))
    app.read_side.catch_up()
    rows = app.read_side.store.query(
        "SELECT recorded_at FROM history_events WHERE organisation = 'RY6' ORDER BY position")
    stamps = [r["recorded_at"] for r in rows]
    assert "2026-01-02T03:04:05.000000Z" in stamps
    events = [e for e in history(app.read_side.store, "RY6") if e["aggregate"] == "Submission"]
    assert [e["recorded_at"][:19] for e in events][0] == "2026-01-02T03:04:05"
    assert len(events) == 2


def test_a_submission_filed_twice_stops_histories_at_that_event(app):
    seed(app)
    app.submit(wic(), provider_of("RY6"))
    app.read_side.catch_up()
    [submission] = [e for e in read_events(app) if e.aggregate_type == "Submission"]
    runner = app.read_side
    with runner.store.transaction() as cursor:  # behind the registry's back
        cursor.execute("UPDATE projection_positions SET position = ? WHERE name = 'histories'",
                       (submission.position - 1,))
    with pytest.raises(ProjectionFailed, match=f"at event {submission.position} "
                                               r"\(Submission.Submitted\)"):
        runner.catch_up("histories")
    assert runner.position("histories") == submission.position - 1


def test_an_event_removed_from_the_log_is_left_out_of_the_history_and_named(app, caplog):
    seed(app)
    for period in ("2018-11", "2018-12"):
        app.submit(wic(period=period), provider_of("RY6"))
    app.read_side.catch_up()
    store = app.read_side.store
    before = history(store, "RY6")
    removed = before[1]["position"]
    with store.transaction() as cursor:  # behind the registry's back
        cursor.execute(f"DELETE FROM {store.events_table} WHERE {store.events_position} = ?",
                       (removed,))
    after = history(store, "RY6")
    assert after == [before[0], *before[2:]] and len(before) == 3
    assert f"leaves out events the log no longer holds: {removed}" in caplog.text
    assert app.ledger.verify()["first_bad_position"] == removed
