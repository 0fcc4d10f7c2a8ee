import threading

import pytest

from config.storage import open_registry
from projections.audit import audit_events
from projections.histories import history
from registry.errors import PermissionDenied
from registry.jobs import contract_expiry, overdue_submissions, recording
from registry.jobs.recording import record_notices
from tests.builders import provider_of
from tests.registry.jobs.events import at, notice_events, raised_per_notice

SCHEDULER = {"user_id": "registry.scheduler", "organisation": "REGISTRY", "role": "system"}


def test_notices_are_in_the_audit_index_recorded_by_the_scheduler(contracted):
    overdue_submissions(contracted, at("2019-01-05"))
    contract_expiry(contracted, at("2019-01-05"))
    contracted.submit({"provider": "RY6", "indicator": "WIC4H", "service_line": "walk_in_centres",
                       "period": "2018-11", "numerator": 5, "denominator": 9},
                      provider_of("RY6"))
    overdue_submissions(contracted, at("2019-01-06"))
    contracted.read_side.catch_up()
    store = contracted.read_side.store
    items = audit_events(store, aggregate_type="Notice")["items"]
    assert [(i["event_type"], i["organisations"]) for i in items] == [
        ("Withdrawn", ["RY6"]), ("Raised", ["QWO", "RY6"]), ("Raised", ["RY6"])]
    assert {(i["actor"]["user_id"], i["actor"]["organisation"], i["actor"]["role"],
             i["channel"]) for i in items} == {tuple(SCHEDULER.values()) + ("scheduler",)}
    overdue = items[-1]
    assert (overdue["period"], overdue["indicator"], overdue["service_line"]) == (
        "2018-11", "WIC4H", "walk_in_centres")
    assert overdue["reason"] == ("RY6 has not submitted WIC4H (walk_in_centres) for 2018-11, "
                                 "due by 2018-12-30")
    assert items[0]["period"] == "2018-11"
    assert [i["position"] for i in audit_events(store, organisation="QWO",
                                                event_type="Notice.Raised")["items"]] == [
        items[1]["position"]]
    assert [e["event"] for e in history(store, "RY6") if e["aggregate"] == "Notice"] == [
        "Raised", "Raised", "Withdrawn"]


def test_a_process_whose_read_model_lags_collides_and_records_nothing(contracted, monkeypatch):
    overdue_submissions(contracted, at("2019-02-01"))
    stored = len(notice_events(contracted))
    monkeypatch.setattr(recording, "notice_states", lambda store, kind: {})
    result = overdue_submissions(contracted, at("2019-02-01"))
    assert (result.recorded, result.withdrawn) == (0, 0)
    assert len(notice_events(contracted)) == stored == 2


def test_two_processes_racing_record_each_notice_once(contracted, settings, monkeypatch):
    monkeypatch.setattr(recording, "CHUNK", 3)
    other = open_registry(settings)
    for app in (contracted, other):  # two runners creating tables at once collide on PostgreSQL
        app.read_side.ensure_tables()
    start, results, errors = threading.Barrier(2), [], []

    def run(app):
        try:
            start.wait(timeout=30)
            results.append(overdue_submissions(app, at("2019-11-15")))
        except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(error)

    try:
        threads = [threading.Thread(target=run, args=(app,)) for app in (contracted, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        other.close()
    assert errors == []
    assert sum(r.recorded for r in results) == 11
    assert len(raised_per_notice(contracted)) == 11
    assert set(raised_per_notice(contracted).values()) == {1}


def test_only_the_system_or_an_admin_records_notices(contracted):
    with pytest.raises(PermissionDenied):
        record_notices(contracted, "overdue_submissions", "overdue_submission", {}, None,
                       lambda row: ("", ""), provider_of("RY6"))
