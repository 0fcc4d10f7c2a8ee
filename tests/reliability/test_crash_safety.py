"""Crash safety: the real ``registry`` command, killed with SIGKILL mid-way, on both engines.

- An import killed at any point has stored its whole file or none of it; importing the
  file again afterwards stores it all, once.
- A projection catch-up or rebuild killed at any point is resumed by ``projections
  catch-up``, and every read model's checksum then equals that of a clean rebuild.
- A ledger checkpoint killed at any point leaves a ledger that ``ledger verify`` passes.

Kill points are drawn from a seeded generator (SEED) and reached by watching progress
(see tests/reliability/crash.py). Each test kills at several points and asserts that at
least one of them landed while the process was still working.
"""

import os
import random
import subprocess

import pytest

from config.settings import Settings
from config.storage import open_registry
from projections.eventlog import read_events
from registry.imports import import_csv
from tests.builders import ADMIN, seed, wic
from tests.reliability.crash import (Victim, cli_env, progress_of, projection_position,
                                     run, storing_events)

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("REGISTRY_CRASH_SEED", "20261123"))  # others try other points
HEADER = "provider,indicator,service_line,period,numerator,denominator,value,sd,n,note"
# 900 rows a file in CI; REGISTRY_CRASH_PROVIDERS=134 makes files of 20,100 rows
PROVIDERS_PER_FILE = int(os.environ.get("REGISTRY_CRASH_PROVIDERS", "6"))
MONTHS = 150
PROJECTIONS = ("histories", "benchmarks", "spc", "audit", "contracts", "pipeline",
               "notices", "ledger")


def _provider(i: int) -> str:
    return f"PX{i:03d}"


def _cells(block: int) -> list[dict]:
    first = block * PROVIDERS_PER_FILE
    return [wic(provider=_provider(p), period=f"{1990 + m // 12}-{m % 12 + 1:02d}",
                numerator=40 + (p * 7 + m) % 50, denominator=100)
            for p in range(first, first + PROVIDERS_PER_FILE) for m in range(MONTHS)]


def _csv(block: int) -> str:
    rows = [f"{c['provider']},WIC4H,walk_in_centres,{c['period']},{c['numerator']},"
            f"{c['denominator']},,,," for c in _cells(block)]
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def store(database_url, tmp_path):
    """A seeded store (room for 6 files of providers), its CLI environment and a way to
    open it in this process (read models not kept current by it: inline projections off)."""
    env = cli_env(database_url, tmp_path)
    settings = Settings.from_env({"REGISTRY_DATABASE_URL": database_url,
                                  "REGISTRY_HOME": str(tmp_path),
                                  "REGISTRY_INLINE_PROJECTIONS": "off"})
    registry = open_registry(settings)
    try:
        seed(registry)
        for i in range(6 * PROVIDERS_PER_FILE):
            registry.register_organisation({"code": _provider(i), "name": f"Provider {i}",
                                            "kind": "nhs_trust"}, ADMIN)
    finally:
        registry.close()

    class Store:
        """The store as this process sees it: checks and recovery run in-process (the
        same service calls the CLI makes; each CLI start costs seconds of imports)."""
        url, home = database_url, tmp_path

        @staticmethod
        def call(action):
            registry = open_registry(settings)
            try:
                return action(registry)
            finally:
                registry.close()

        @classmethod
        def topics(cls) -> list[str]:
            return cls.call(lambda r: [e.topic for e in read_events(r)])

        @classmethod
        def add(cls, block: int) -> None:
            """Store one file's cells: no checkpoint, nothing projected."""
            cls.call(lambda r: r.submit_many(_cells(block), ADMIN))

        @classmethod
        def checksums_after_catch_up(cls) -> dict:
            def resume(registry):
                registry.read_side.catch_up()
                status = registry.read_side.status()
                assert [(s["name"], s["lag"], s["error"]) for s in status] == \
                    [(s["name"], 0, None) for s in status]
                return registry.read_side.checksums()
            return cls.call(resume)

        @classmethod
        def rebuilt_checksums(cls) -> dict:
            return cls.call(lambda r: (r.read_side.rebuild(), r.read_side.checksums())[1])

        @classmethod
        def verify_ledger(cls) -> None:
            report = cls.call(lambda r: r.ledger.verify(full=True))
            assert report["ok"], report["problems"][:3]

    Store.env = env
    return Store


def _submitted(topics: list[str]) -> int:
    return sum(t.endswith("Submission.Submitted") for t in topics)


def test_an_import_killed_at_any_point_stores_its_file_whole_or_not_at_all(store):
    rng = random.Random(SEED)
    modes = ["validating", "storing", "after", "storing"]
    files, points = [], len(modes)
    killed_mid_way = killed_while_storing = 0
    for block, mode in enumerate(modes):
        path = store.home / f"big-{block}.csv"
        path.write_text(_csv(block))
        files.append(path)
        before = _submitted(store.topics())
        victim = Victim(store.env, "import", "submissions", str(path))
        label = f"Importing {path.name}"
        share = rng.random()
        if mode == "validating":  # at a seeded share of the rows checked
            victim.wait_for_line(lambda line: (p := progress_of(line, label)) is not None
                                 and p[0] >= share * p[1])
        else:
            victim.wait_for_line(lambda line: (p := progress_of(line, label)) is not None
                                 and p[0] == p[1])
            if mode == "storing":  # as soon as its events are being written
                victim.wait_until(storing_events(store.url))
            else:  # a seeded time later: storing, projecting, signing, or after
                _delay(rng.uniform(0, 3.0), victim)
        alive = victim.kill()
        killed_mid_way += alive
        after = _submitted(store.topics())
        assert after - before in (0, PROVIDERS_PER_FILE * MONTHS), (block, mode, share)
        killed_while_storing += mode == "storing" and alive and after == before
    assert killed_mid_way >= 1
    assert killed_while_storing >= 1  # inside the transaction, and it left nothing

    for path in files[:-1]:  # every file again: what was not stored is stored now, once
        store.call(lambda r: import_csv(r, "submissions", path.read_bytes(), path.name,
                                        ADMIN))
    run(store.env, "import", "submissions", str(files[-1]))  # the command itself, too
    assert _submitted(store.topics()) == points * PROVIDERS_PER_FILE * MONTHS
    ids = store.call(lambda r: [(e.aggregate_id, e.version) for e in read_events(r)])
    assert len(ids) == len(set(ids))
    store.verify_ledger()


def _delay(seconds: float, victim: Victim) -> None:
    """Let the process run on for a seeded time (chooses the kill moment only)."""
    try:
        victim.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass  # still running, as intended


def _kill_somewhere(victim: Victim, rng: random.Random) -> bool:
    """Kill a projections command a seeded time (up to half a second) after a seeded
    projection reported a seeded share of its progress (or, one time in five, a seeded
    time after it started: during start-up or a rebuild's dropping of tables)."""
    if rng.random() < 0.2:
        _delay(rng.uniform(0, 1.5), victim)
        return victim.kill()
    target, share = rng.choice(PROJECTIONS), rng.random()
    victim.wait_for_line(lambda line: (p := progress_of(line, target)) is not None
                         and p[0] >= share * p[1])
    _delay(rng.uniform(0, 0.5), victim)  # into the next page's transaction, or beyond
    return victim.kill()


def test_a_catch_up_killed_at_any_point_resumes_to_a_clean_rebuilds_checksums(store):
    rng = random.Random(SEED + 1)
    killed_mid_way = 0
    for block in range(3):
        store.add(block)  # new events for the read models to catch up with
        killed_mid_way += _kill_somewhere(Victim(store.env, "projections", "catch-up"), rng)
    assert killed_mid_way >= 1
    run(store.env, "projections", "catch-up")  # the command resumes where each stopped
    resumed = store.checksums_after_catch_up()
    assert set(resumed) == set(PROJECTIONS)
    assert resumed == store.rebuilt_checksums()


def test_a_rebuild_killed_at_any_point_is_completed_by_catch_up(store):
    rng = random.Random(SEED + 2)
    store.add(0)
    clean = store.rebuilt_checksums()
    killed_mid_way = 0
    for point in range(3):
        killed_mid_way += _kill_somewhere(Victim(store.env, "projections", "rebuild"), rng)
        if point == 0:
            run(store.env, "projections", "catch-up")  # the command, once
        assert store.checksums_after_catch_up() == clean
    assert killed_mid_way >= 1


def test_a_ledger_checkpoint_killed_at_any_point_leaves_a_ledger_that_verifies(store):
    rng = random.Random(SEED + 3)
    killed_mid_way = 0
    for block in range(3):
        store.add(block)  # the ledger's leaves lag: the checkpoint must hash them first
        before = projection_position(store.url, "ledger")
        lag = len(store.topics()) - before
        victim = Victim(store.env, "ledger", "checkpoint")
        if rng.random() < 0.5:  # while hashing the new leaves: a seeded share of them
            share = rng.random()
            victim.wait_until(
                lambda: projection_position(store.url, "ledger") >= before + share * lag)
        else:  # a seeded time after it started (start-up, hashing, signing, storing)
            _delay(rng.uniform(0, 2.5), victim)
        killed_mid_way += victim.kill()
        store.verify_ledger()
    assert killed_mid_way >= 1
    store.add(3)
    signed = store.call(lambda r: r.ledger.checkpoint(ADMIN))  # a later checkpoint signs
    assert signed is not None and signed["verified"]
    assert all(c["verified"] for c in store.call(lambda r: r.ledger.checkpoints()))
    run(store.env, "ledger", "verify")  # and the command says so
