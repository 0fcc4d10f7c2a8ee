"""The registry saves as the library does: every pending event, in the order given."""

from datetime import date

from registry.application import CollectedEvents
from registry.organisation import Organisation

P = {"actor": {"user_id": "u", "organisation": "REGISTRY", "role": "admin"}, "channel": "cli"}


def trust(code):
    return Organisation(code=code, name=f"Trust {code}", kind="nhs_trust", region="Y54",
                        opened=date(2011, 4, 1), provenance=P)


def test_aggregates_and_bare_events_are_collected_in_the_order_given():
    first, second, third = trust("RY6"), trust("RYX"), trust("RW3")
    first.rename("Renamed", date(2020, 1, 1), P)
    bare = third.collect_events()  # events given on their own, not by their aggregate
    collected = CollectedEvents()
    collected.collect_events(first, None, *bare, second, reason="kept")
    assert [(e.originator_id, e.originator_version) for e in collected.events] == [
        (first.id, 1), (first.id, 2), (third.id, 1), (second.id, 1)]
    assert set(collected.aggregates) == {first.id, second.id}
    assert collected.saved_kwargs == {"reason": "kept"}
    assert not first.collect_events() and not second.collect_events()


def test_a_save_stores_every_pending_event_and_the_aggregate_reads_back(app):
    first, second = trust("RY6"), trust("RYX")
    first.rename("Renamed", date(2020, 1, 1), P)
    before = app.recorder.max_notification_id() or 0
    recordings = app.save(first, second)
    stored = app.recorder.select_notifications(before + 1, 10)
    assert [(n.originator_id, n.originator_version) for n in stored] == [
        (first.id, 1), (first.id, 2), (second.id, 1)]
    assert [r.notification.id for r in recordings] == [n.id for n in stored]
    assert app.repository.get(first.id).name == "Renamed"
