"""Running the real ``registry`` command as a subprocess and killing it with SIGKILL.

The moment of each kill is chosen by a seeded random generator (so a failing run can be
repeated), but it is always reached by watching the process's own progress, never by
sleeping and hoping: a progress line on stderr (``REGISTRY_PROGRESS=lines``) or a
projection's position in the database, each awaited with a deadline.
"""

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg

REGISTRY = [sys.executable, "-c", "from registry.cli import main; main()"]
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120  # seconds any one command may take on a loaded CI machine


def cli_env(database_url: str, home: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(REGISTRY_DATABASE_URL=database_url, REGISTRY_HOME=str(home),
               REGISTRY_PROGRESS="lines", REGISTRY_USER="crash.test", **extra)
    return env


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run a command to its end; it must succeed."""
    done = subprocess.run([*REGISTRY, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=DEADLINE)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


class Victim:
    """A ``registry`` process whose stderr lines are read as they come."""

    def __init__(self, env: dict, *args: str):
        self.args = args
        self.process = subprocess.Popen([*REGISTRY, *args], env=env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for_line(self, accept) -> bool:
        """Read stderr until a line satisfies ``accept`` (True) or the process ends (False)."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if line is None:
                return False
            self.seen.append(line)
            if accept(line):
                return True
        self.kill()
        raise AssertionError(f"{self.args}: no awaited progress within {DEADLINE}s: "
                             f"{self.seen[-5:]}")

    def wait_until(self, condition, poll: float = 0.005) -> bool:
        """Poll ``condition()`` until true (True) or the process ends (False)."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if condition():
                return True
            try:
                self.process.wait(timeout=poll)  # the pause between polls: is it alive?
                return False
            except subprocess.TimeoutExpired:
                continue
        self.kill()
        raise AssertionError(f"{self.args}: condition not reached within {DEADLINE}s")

    def kill(self) -> bool:
        """SIGKILL it; True if it was still running (killed mid-way), False if it had
        already finished on its own."""
        alive = self.process.poll() is None
        if alive:
            os.kill(self.process.pid, signal.SIGKILL)
        code = self.process.wait(timeout=DEADLINE)
        self.reader.join(timeout=DEADLINE)
        self.process.stderr.close()
        if alive and code != -signal.SIGKILL:
            alive = False  # it finished between the poll and the signal
        if not alive:
            assert code == 0, (self.args, code, self.seen[-10:])
        return alive


def progress_of(line: str, label: str) -> tuple[int, int] | None:
    """(done, total) from a ``LABEL: DONE/TOTAL`` progress line with that label."""
    head, _, tail = line.rpartition(": ")
    if head.strip() != label or "/" not in tail:
        return None
    done, _, total = tail.partition("/")
    return (int(done), int(total)) if done.isdigit() and total.isdigit() else None


def storing_events(database_url: str):
    """A check that becomes true once events are being written after this moment, inside
    their transaction: on SQLite another process holds the write lock (a writer takes it at
    its first INSERT and keeps it until COMMIT; the write-ahead log may not grow before the
    commit, so its size is no sign); on PostgreSQL another transaction holds the events
    table's EXCLUSIVE lock, which a save takes before it writes its events and keeps until
    COMMIT (the events' COPY itself lasts a few milliseconds, too short to be sure of
    seeing)."""
    if database_url.startswith("sqlite"):
        return _writing(_sqlite_path(database_url))
    server, schema = _postgres(database_url)

    def inserting() -> bool:
        with psycopg.connect(server, autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
                "AND c.relname = 'registry_events' AND l.mode = 'ExclusiveLock' "
                "AND l.granted", (schema,)).fetchone()[0] > 0
    return inserting


def _writing(path: str):
    """True while another connection holds the SQLite file's write lock: asking for it at
    once (no busy wait) is refused. When it is free it is given back at once."""
    def writing() -> bool:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                return True
            raise
        else:
            conn.execute("ROLLBACK")
            return False
        finally:
            conn.close()
    return writing


def _sqlite_path(database_url: str) -> str:
    return database_url[len("sqlite:///"):]


def _postgres(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    return parts._replace(query="").geturl(), parse_qs(parts.query)["schema"][0]


def projection_position(database_url: str, name: str) -> int:
    """A projection's position as another process sees it (0 while its table is absent)."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(database_url), timeout=10) as conn:
            try:
                row = conn.execute("SELECT position FROM projection_positions WHERE name = ?",
                                   (name,)).fetchone()
            except sqlite3.OperationalError:
                row = None
        conn.close()
        return int(row[0]) if row else 0
    server, schema = _postgres(database_url)
    with psycopg.connect(server, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".projection_positions',)
                             ).fetchone()[0]
        if found is None:
            return 0
        row = conn.execute(f'SELECT position FROM "{schema}".projection_positions '
                           "WHERE name = %s", (name,)).fetchone()
    return int(row[0]) if row else 0
