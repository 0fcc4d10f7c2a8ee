from datetime import datetime, timezone

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


def test_a_novated_contract_concerns_the_new_provider_from_then_on(app):
    seed(app)
    app.award_contract({"reference": "C1", "commissioner": "QWO", "provider": "RY6",
                        "service_lines": "district_nursing", "annual_value": "1",
                        "total_value": "3", "start": "2022-07-01", "end": "2025-06-30",
                        "route": "direct_award"}, ADMIN)
    app.novate_contract({"reference": "C1", "new_provider": "RYX", "effective": "2023-01-01"},
                        ADMIN.because("transfer"))
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
