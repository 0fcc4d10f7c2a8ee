"""One save of many thousand events (an import file is one save) completes on both engines,
with every event journalled in order: on PostgreSQL the library's pipelined insert of
~15,000 events or more never returned. On PostgreSQL a save writes its events by COPY and
reads their notification ids back: each event must get its own, and a save that clashes
with a stored version must store nothing."""

import threading
import uuid

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError


class Probe(Aggregate):
    def __init__(self, n: int, note: str):
        self.n, self.note = n, note


def test_a_save_of_twenty_thousand_events_completes_and_is_journalled(app):
    probes = [Probe(n, f"{n:08d} " * 60) for n in range(20_000)]  # ~600-byte events
    outcome = {}

    def save():
        try:
            outcome["recordings"] = app.save(*probes)
        except Exception as error:  # reported below, in the test's own thread
            outcome["error"] = error

    worker = threading.Thread(target=save, daemon=True)
    worker.start()
    worker.join(timeout=120)  # a deadline, not a synchronisation: a hang fails the test
    assert not worker.is_alive(), "the save did not return within 2 minutes"
    assert "error" not in outcome, outcome.get("error")
    positions = [r.notification.id for r in outcome["recordings"]]
    assert len(positions) == len(set(positions)) == len(probes)
    stored = app.recorder.select_notifications(positions[0], len(probes))
    assert [(n.id, uuid.UUID(str(n.originator_id))) for n in stored] == \
        list(zip(positions, [p.id for p in probes]))  # each event's own position, in order
    journal = app.read_side.store.query(
        "SELECT leaf_index, position, originator_id FROM ledger_journal ORDER BY leaf_index")
    tail = journal[-len(probes):]
    assert [int(r["position"]) for r in tail] == positions
    assert [uuid.UUID(r["originator_id"]) for r in tail] == [p.id for p in probes]
    assert [int(r["leaf_index"]) for r in journal] == list(range(len(journal)))
    assert app.ledger.verify(full=True)["ok"]


def test_a_save_clashing_with_a_stored_version_stores_none_of_its_events(app):
    first = Probe(1, "first")
    app.save(first)
    journal = app.recorder.journal_size()
    last = app.recorder.max_notification_id()
    rival = app.repository.get(first.id)  # a second writer's copy at version 1
    first.trigger_event(Aggregate.Event)
    app.save(first)  # version 2 stored
    rival.trigger_event(Aggregate.Event)  # version 2 again
    others = [Probe(n, "new") for n in range(5)]
    with pytest.raises(IntegrityError):
        app.save(*others, rival)
    assert app.recorder.max_notification_id() == last + 1  # only the first writer's event
    assert app.recorder.journal_size() == journal + 1
    assert all(not app.recorder.select_events(p.id) for p in others)
    assert app.ledger.verify(full=True)["ok"]
