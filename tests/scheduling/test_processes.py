"""Real ``registry scheduler`` processes on one database: side by side they record each
notice once and never run the same job at the same time; one killed with SIGKILL is
replaced by another that carries on."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.request import urlopen

import pytest

from registry.jobs import JOBS
from scheduling.runs import FAILED, INTERRUPTED, OK, RUNNING
from tests.registry.jobs.events import raised_per_notice
from tests.scheduling.conftest import EXPECTED_NOTICES, runs_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120  # seconds: two processes importing the registry on a busy 2-core machine
STOP = 30
RAN = (OK, FAILED, INTERRUPTED)  # runs that held their job's lock


@pytest.fixture
def environment(database_url, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(REGISTRY_DATABASE_URL=database_url, REGISTRY_HOME=str(tmp_path),
               REGISTRY_SCHEDULER_LEASE_SECONDS="3")
    env.update({f"REGISTRY_SCHEDULE_{job.upper()}": "every 1s" for job in JOBS})
    return env


@pytest.fixture
def processes(environment, tmp_path):
    """start() -> a running `registry scheduler` process; all are stopped afterwards."""
    started = []

    def start():
        log = (tmp_path / f"scheduler-{len(started)}.log").open("w+")
        process = subprocess.Popen(
            [sys.executable, "-c", "from registry.cli import main; main()", "scheduler"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        process.log = log  # what stop() shows when the process does not stop
        return process
    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def wait_for(condition, what: str, processes=()):
    deadline = time.monotonic() + DEADLINE
    while not condition():
        for process in processes:
            assert process.poll() is None, f"a scheduler exited early ({process.returncode})"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def stop(process, log=None) -> int:
    """Ctrl-C, and the exit status; a process still running after ``STOP`` seconds fails
    the test with the end of its ``log`` (by default the one ``processes`` gave it; a stop
    that takes long writes every thread's stack there: ``Scheduler.stop``)."""
    log = log if log is not None else getattr(process, "log", None)
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=STOP)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        tail = "" if log is None else "".join(Path(log.name).read_text().splitlines(True)[-80:])
        pytest.fail(f"still running {STOP} s after Ctrl-C; the end of its output:\n{tail}")


def pid_of(run: dict) -> int:
    return int(run["owner"].split(":")[1])


def ok_runs(app, pid=None) -> dict[str, int]:
    counts = dict.fromkeys(JOBS, 0)
    for run in runs_of(app, outcome=OK):
        if pid is None or pid_of(run) == pid:
            counts[run["job"]] += 1
    return counts


def overlaps(app) -> list[tuple]:
    """Pairs of runs of the same job whose intervals overlap (there must be none)."""
    found = []
    for job in JOBS:
        held = sorted((r for r in runs_of(app, job) if r["outcome"] in RAN and r["finished"]),
                      key=lambda r: r["started"])
        for before, after in zip(held, held[1:]):
            if _time(after["started"]) < _time(before["finished"]):
                found.append((before, after))
    return found


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_two_schedulers_side_by_side_record_each_notice_once(scenario, processes):
    first, second = processes(), processes()
    wait_for(lambda: min(ok_runs(scenario).values()) >= 4, "four good runs of every job",
             (first, second))
    assert (stop(first), stop(second)) == (0, 0)
    assert len(raised_per_notice(scenario)) == EXPECTED_NOTICES
    assert set(raised_per_notice(scenario).values()) == {1}
    assert overlaps(scenario) == []
    assert runs_of(scenario, outcome=FAILED) == []
    assert {pid_of(r) for r in runs_of(scenario, outcome=OK)} == {first.pid, second.pid}
    sizes = [c["tree_size"] for c in scenario.ledger.checkpoints()]
    assert len(sizes) == len(set(sizes))


def test_a_killed_scheduler_is_replaced_and_its_lease_expires(scenario, processes):
    doomed = processes()
    wait_for(lambda: min(ok_runs(scenario, doomed.pid).values()) >= 1,
             "a good run of every job", (doomed,))
    mid_run = _kill_mid_run(scenario, doomed)
    replacement = processes()
    wait_for(lambda: min(ok_runs(scenario, replacement.pid).values()) >= 2,
             "two good runs of every job by the replacement", (replacement,))
    assert stop(replacement) == 0
    left = [r for r in runs_of(scenario) if pid_of(r) == doomed.pid]
    assert [r for r in left if r["outcome"] == RUNNING] == []
    if mid_run:
        run, killed_at = mid_run
        [after] = [r for r in left if r["id"] == run["id"]]
        # SIGKILL leaves the process no moment to record anything: the run was cut short,
        # unless it had already finished between our look and the kill.
        finished_first = (after["outcome"] == OK and after["finished"]
                          and _time(after["finished"]) <= killed_at)
        assert after["outcome"] == INTERRUPTED or finished_first, after
    assert overlaps(scenario) == []
    assert set(raised_per_notice(scenario).values()) == {1}
    assert len(raised_per_notice(scenario)) == EXPECTED_NOTICES


def _kill_mid_run(app, process, tries: int = 500) -> tuple[dict, datetime] | None:
    """SIGKILL the process, while it is running a job if that is caught within a few
    seconds (its lock is then left behind for the lease or the server to free): the run
    seen running, and when the kill was sent."""
    for _ in range(tries):
        running = [r for r in runs_of(app, outcome=RUNNING) if pid_of(r) == process.pid]
        if running:
            killed_at = datetime.now(UTC)
            process.kill()
            process.wait()
            return running[0], killed_at
        time.sleep(0.01)
    process.kill()
    process.wait()
    return None


def test_serve_with_scheduler_runs_the_jobs_beside_the_web_server(scenario, environment,
                                                                   tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-c", "from registry.cli import main; main()", "serve", "--port",
         str(port), "--with-scheduler"], cwd=ROOT, env=environment, stdout=log,
        stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: min(ok_runs(scenario, server.pid).values()) >= 1,
                 "a good run of every job in the web server's process", (server,))
        with urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
            assert response.status == 200
        assert stop(server, log) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
    assert len(raised_per_notice(scenario)) == EXPECTED_NOTICES
