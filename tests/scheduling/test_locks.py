"""The per-job database lock: one holder at a time, and a killed holder's lock comes free
(PostgreSQL: its connection ends; SQLite: its lease expires)."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from scheduling.locks import Busy, job_lock
from scheduling.service import ensure_tables

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30  # seconds


@pytest.fixture
def store(app):
    ensure_tables(app.read_side.store)
    return app.read_side.store


def test_a_held_lock_refuses_a_second_holder_until_released(store):
    with job_lock(store, "contract_expiry", "first:1", lease=30):
        with pytest.raises(Busy, match="job contract_expiry is running in another process"):
            with job_lock(store, "contract_expiry", "second:2", lease=30):
                pass
        with job_lock(store, "milestone_slippage", "second:2", lease=30):
            pass  # another job's lock is another lock
    with job_lock(store, "contract_expiry", "second:2", lease=30):
        pass


def test_a_long_run_keeps_its_lease_renewed(store):
    if store.engine != "sqlite":
        pytest.skip("PostgreSQL's advisory lock has no lease")
    with job_lock(store, "contract_expiry", "first:1", lease=3):
        expires = store.query("SELECT expires FROM scheduler_locks")[0]["expires"]
        deadline = time.monotonic() + DEADLINE
        while store.query("SELECT expires FROM scheduler_locks")[0]["expires"] == expires:
            assert time.monotonic() < deadline, "the lease was never renewed"
            time.sleep(0.2)
        with pytest.raises(Busy):
            with job_lock(store, "contract_expiry", "second:2", lease=3):
                pass
    assert store.query("SELECT * FROM scheduler_locks") == []


HOLDER = textwrap.dedent("""
    import sys, threading
    from config.settings import Settings
    from config.storage import open_registry
    from scheduling.locks import job_lock
    app = open_registry(Settings.from_env())
    with job_lock(app.read_side.store, "contract_expiry", "doomed:9", lease=3):
        print("held", flush=True)
        threading.Event().wait()
""")


def test_the_lock_of_a_killed_holder_comes_free(store, database_url, tmp_path):
    env = {**os.environ, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_HOME": str(tmp_path)}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Busy):
            with job_lock(store, "contract_expiry", "next:1", lease=3):
                pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            with job_lock(store, "contract_expiry", "next:1", lease=3):
                break
        except Busy:
            assert time.monotonic() < deadline, "the killed holder's lock never came free"
            time.sleep(0.2)
