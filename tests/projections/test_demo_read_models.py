"""The audit, contracts and pipeline read models over the whole demo (SQLite, loaded once).

Catching up the other read models is left to their own tests: this proves the three
project every kind of event the demo stores, and agree with the aggregates.
"""

import pytest

from config.settings import Settings
from config.storage import open_registry
from projections.audit import audit_events
from projections.contracts import contracts_register
from projections.eventlog import LoggedEvent, plain, read_events
from projections.pipeline import pipeline_board
from projections.timestamps import stamp
from registry.demo import load_demo
from registry.provenance import Actor

pytestmark = pytest.mark.slow
NAMES = ("audit", "contracts", "pipeline")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    app = open_registry(Settings.from_env({"REGISTRY_HOME": str(home),
                                           "REGISTRY_INLINE_PROJECTIONS": "off"}))
    summary = load_demo(app, Actor("test.admin", "X24", "admin"))
    for name in NAMES:
        app.read_side.catch_up(name)
    yield app, summary
    app.close()


def test_every_demo_event_is_in_the_audit_index(demo):
    app, summary = demo
    store = app.read_side.store
    [count] = store.query("SELECT COUNT(*) AS n FROM audit_events")
    assert count["n"] == summary.events
    restated = audit_events(store, event_type="Submission.Restated", limit=5)["items"]
    assert len(restated) == 5 and restated[0]["previous_values"] != restated[0]["values"]
    assert restated[0]["changed"] and restated[0]["reason"]
    imported = audit_events(store, organisation="RW3", event_type="Submitted", limit=1)
    assert imported["items"][0]["source"]["file"].endswith(".csv")
    assert imported["next"] is not None


def test_the_demo_contracts_register_agrees_with_the_aggregates(demo):
    app, summary = demo
    register = contracts_register(app.read_side.store)
    assert len(register) == summary.contracts
    for row in register:
        contract = app.get_contract(row["reference"])
        assert (row["provider"], row["end"], row["total_value"], row["renewal_decision"]) == (
            contract["provider"], contract["end"].isoformat(), str(contract["total_value"]),
            contract["renewal_decision"]), row["reference"]


def test_the_demo_pipeline_board_agrees_with_the_aggregates(demo):
    app, summary = demo
    board = pipeline_board(app.read_side.store)
    assert len(board) == summary.ft_applications
    statuses = sorted(r["status"] for r in board)
    assert statuses.count("authorised") == 1 and statuses.count("deferred") == 1
    for row in board:
        stages = app.get_ft_application(row["provider"])["stages"]
        assert [m.get("achieved") and m["achieved"].isoformat() for m in stages] == [
            m["achieved"] for m in row["milestones"]], row["provider"]
        assert sum(m.get("slips", 0) for m in stages) == row["slips"]


def test_contracts_and_pipeline_rebuild_to_the_same_checksums(demo):
    runner = demo[0].read_side
    before = {name: runner.checksums(name)[name] for name in NAMES[1:]}
    for name in NAMES[1:]:
        runner.rebuild(name)
    assert {name: runner.checksums(name)[name] for name in NAMES[1:]} == before


def test_every_demo_event_decodes_alike_by_the_fast_path_and_the_mapper(demo):
    """The demo stores every kind of event the registry has: the records the read models
    file are the same whichever way the event is decoded."""
    app, summary = demo
    kinds = set()
    for typed in read_events(app):
        fast = LoggedEvent(typed.position, typed.aggregate_id, typed.version, typed.topic,
                           notification=typed.notification, mapper=app.mapper)
        assert fast.as_dict() == plain(typed.as_dict(plain_values=False)), typed.position
        assert fast.recorded_stamp == stamp(typed.recorded_at)
        kinds.add((typed.aggregate_type, typed.event_type))
    assert len(kinds) > 20
