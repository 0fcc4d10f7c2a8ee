from projections.eventlog import read_events
from registry.jobs import ledger_checkpoint
from tests.builders import seed
from tests.registry.jobs.events import at


def test_the_tree_is_signed_once_until_something_new_is_recorded(app):
    assert ledger_checkpoint(app, at("2019-01-01")).summary == \
        "ledger_checkpoint: nothing new to sign"
    seed(app)
    first = ledger_checkpoint(app, at("2019-01-01"))
    latest = app.ledger.latest_checkpoint()
    assert first.recorded == 1
    assert first.summary.startswith(f"ledger_checkpoint: signed {latest['tree_size']} leaves")
    again = ledger_checkpoint(app, at("2019-01-01", hour=7))
    assert (again.recorded, again.summary) == (0, "ledger_checkpoint: nothing new to sign")
    assert [c["tree_size"] for c in app.ledger.checkpoints()] == [latest["tree_size"]]


def test_the_checkpoint_is_the_scheduler_s_and_signed_at_the_real_time(app):
    seed(app)
    ledger_checkpoint(app, at("2001-01-01"))
    latest = app.ledger.latest_checkpoint()
    assert latest["verified"] and not latest["signed_at"].startswith("2001")
    [event] = [e for e in read_events(app) if e.aggregate_type == "LedgerCheckpoint"]
    assert event.provenance["channel"] == "scheduler"
    assert event.provenance["reason"] == "scheduled checkpoint"
