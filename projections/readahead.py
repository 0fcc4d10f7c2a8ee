"""A set-based statement's reading done ahead, on SQLite's second core.

Most of a set-based statement's time on SQLite (the audit's, the submission facts' of
benchmarks and SPC) is its ``SELECT``: each stored state of a range converted to text
and its values cut out as JSON. SQLite runs a
statement on one core, and two threads of one process parsing at once were hardly faster
than one. During a long catch-up, ``ReadAhead`` therefore has a worker process
(``python -m projections.readahead``) run the ``SELECT`` of two ranges in three into a
table of its own scratch database while the runner files the ranges before them; the read
model then copies that range's rows from the scratch table, which costs about a tenth
of reading them.

The scratch database of a range is a new file, attached to the runner's connection
before the range's transaction begins and detached after it ends (SQLite attaches and
detaches only outside a transaction). The worker never writes a file that is attached,
and the runner attaches only a file the worker said it finished: neither waits for the
other's locks. The events table is append-only, so the worker's snapshot holds the
same rows up to the range's last position as the runner's.

A range is taken from the worker only if the worker read exactly that range with
exactly that statement; anything else (the worker failed, died, or read another range)
is read by the read model's own statement, as without a worker.
"""

import shutil
import sqlite3
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from projections import workers
from projections.eventlog import range_end
from projections.workers import WorkerProcess, worker_env

SCHEMA = "ahead"  # the name the runner's connection attaches a range's scratch file as
TABLE = "ahead.parsed"  # the table of the range's rows


class ReadAhead:
    """A worker reading ranges of one catch-up ahead (see the module): ``per_own`` ranges
    for each range the runner files by the read model's own statement."""

    # Copying a range the worker read costs the runner about a quarter of filing one by
    # its own statement (the audit at full scale: 26 against 110 ms), and the worker
    # reads a range in a little more than the runner files one: for each range the
    # runner files itself, the worker reads the next two. Reading one in two, the worker
    # was idle about a third of the time.
    per_own = 2

    def __init__(self, store, size: int, statement: str, parameters):
        """For a catch-up in ranges of ``size`` events. ``statement``: the ``SELECT`` to
        run for a range, ``parameters(after, last)`` its parameters for a range."""
        self._store, self._size = store, size
        self._statement, self._parameters = statement, parameters
        self._dir = Path(tempfile.mkdtemp(prefix="registry-readahead-"))
        self._worker = WorkerProcess("projections.readahead", worker_env(),
                                     {"path": str(Path(store.path).resolve())})
        # The ranges the worker was given, in log order; it reads them in that order.
        self._asked: deque[tuple[int, int]] = deque()
        self._attached: tuple[int, int] | None = None  # the range attached now

    @contextmanager
    def around(self, after: int, last: int):
        """Around the runner's range after ``after`` up to ``last`` (outside its
        transaction): the worker's table of it attached, if the worker read it;
        otherwise the worker is given the next ranges to read while this one is filed."""
        if self._asked and self._asked[0][0] >= last:
            yield  # the worker is reading the ranges after this one, as this one is filed
            return
        taken = self._take(after, last)
        if taken is None:
            if not self._asked:  # (the worker may still hold the next: it failed on this)
                self._ask(last)
            yield
            return
        if not self._asked:
            # The last range the worker was given: before it is copied, the worker starts
            # on the ranges after the next (the next being the runner's own), so that it
            # is not idle while the runner copies this range and files the next.
            self._ask(last, skip=1)
        path, count = taken
        if not self._attach(path, count):  # read by the read model's own statement
            path.unlink(missing_ok=True)
            yield
            return
        conn = self._store._connection()
        self._attached = (after, last)
        try:
            yield
        finally:
            self._attached = None
            conn.execute(f"DETACH DATABASE {SCHEMA}")
            path.unlink(missing_ok=True)

    def _attach(self, path: Path, count: int) -> bool:
        """Attach the worker's file if it holds the table of the rows it counted (not a
        file removed or spoilt since, which SQLite would attach as an empty database)."""
        conn = self._store._connection()
        try:
            conn.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(path),))
        except sqlite3.Error:
            return False
        try:
            if conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0] == count:
                return True
        except sqlite3.Error:
            pass
        conn.execute(f"DETACH DATABASE {SCHEMA}")
        return False

    def attached(self, after: int, last: int) -> bool:
        """Whether ``TABLE`` holds the statement's rows for this range."""
        return self._attached == (after, last)

    def close(self) -> None:
        self._worker.stop(kill=bool(self._asked))
        self._asked.clear()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _path(self, after: int, last: int) -> Path:
        return self._dir / f"range-{after}-{last}.db"

    def _take(self, after: int, last: int) -> tuple[Path, int] | None:
        """The worker's file of this range and how many rows it holds, once the worker
        has finished it; None if it was not asked for this range or could not read it.
        A range asked for that is not this one (the runner's ranges end elsewhere than
        counted when the worker was given them) drops every range given: each answer is
        waited for, and its file removed."""
        if not self._asked:
            return None
        asked = self._asked.popleft()
        answer = self._worker.answer()
        if asked != (after, last):
            self._path(*asked).unlink(missing_ok=True)
            while self._asked:
                self._worker.answer()
                self._path(*self._asked.popleft()).unlink(missing_ok=True)
            return None
        path = self._path(*asked)
        if answer is None or answer[0] != "done":
            path.unlink(missing_ok=True)
            return None
        return path, answer[1]

    def _ask(self, last: int, skip: int = 0) -> None:
        """Give the worker the ``per_own`` ranges after ``last`` (after ``skip`` more
        ranges), as the runner's catch-up will count them."""
        if not self._worker.alive:
            return
        with self._store.reading() as cursor:
            for n in range(skip + self.per_own):
                start = last
                last, count = range_end(cursor, self._store, start, self._size)
                if not count:
                    return
                if n >= skip:
                    if not self._worker.send((str(self._path(start, last)), self._statement,
                                              tuple(self._parameters(start, last)))):
                        return
                    self._asked.append((start, last))


class ReadsAhead:
    """A read model (mixed in before ``Projection``) whose set-based statement's
    ``SELECT`` a worker reads ahead during a long catch-up on SQLite: once
    ``read_ahead_after`` ranges were filed, two ranges in three. Its ``file_range`` copies
    a range from ``read_ahead_table`` when it names one, and runs its own statement
    otherwise."""

    read_ahead_after = 2

    def read_ahead_statement(self, store) -> tuple[str, Callable]:
        """The ``SELECT`` to read a range ahead, as ``store`` runs it, and the function
        of (after, last) giving its parameters for a range."""
        raise NotImplementedError

    @cached_property
    def _ahead(self) -> threading.local:
        """This read model's state of the read-ahead, per thread (made on first use)."""
        return threading.local()

    @contextmanager
    def catching_up(self, store, size: int):
        local = self._ahead
        local.size, local.ranges, local.worker, local.taken = size, 0, None, 0
        try:
            yield
        finally:
            worker, local.worker, local.size = local.worker, None, None
            if worker is not None:
                worker.close()

    @contextmanager
    def around_range(self, store, after: int, last: int):
        local = self._ahead
        if getattr(local, "size", None) is None or not self.bulk_aggregates:
            yield
            return
        local.ranges += 1
        if local.worker is None:
            if (local.ranges <= self.read_ahead_after or store.engine != "sqlite"
                    or not store.shared):
                yield
                return
            local.worker = ReadAhead(store, local.size, *self.read_ahead_statement(store))
        with local.worker.around(after, last):
            yield

    def read_ahead_table(self, after: int, last: int) -> str | None:
        """``TABLE`` if it holds the worker's rows of this range (the range is then
        counted as taken from the worker), else None."""
        local = self._ahead
        worker = getattr(local, "worker", None)
        if worker is None or not worker.attached(after, last):
            return None
        local.taken += 1
        return TABLE

    @property
    def ranges_read_ahead(self) -> int:
        """Of the ranges this thread's latest catch-up filed, how many the worker read."""
        return getattr(self._ahead, "taken", 0)


# -- in the worker process ---------------------------------------------------------------

_worker: dict = {}


def _open(spec: dict) -> None:
    _worker["uri"] = Path(spec["path"]).resolve().as_uri() + "?mode=ro"
    sqlite3.connect(_worker["uri"], uri=True).close()  # fails now if it cannot be read


def _read(request: tuple) -> int:
    """The statement's rows for one range, in table ``parsed`` of a new scratch file;
    how many there are. The store is attached read-only: the statement's tables are
    found there (the scratch file has only its own)."""
    path, statement, params = request
    Path(path).unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a new file, used only if finished
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("ATTACH DATABASE ? AS log", (_worker["uri"],))
        conn.execute("BEGIN")
        conn.execute(f"CREATE TABLE parsed AS {statement}", params)
        count = conn.execute("SELECT COUNT(*) FROM parsed").fetchone()[0]
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        Path(path).unlink(missing_ok=True)
        raise
    conn.close()
    return count


def serve() -> None:
    """The worker's loop (``python -m projections.readahead``): the store's path, then
    one range at a time ``(scratch file, statement, parameters)``."""
    workers.serve(_read, _open)


if __name__ == "__main__":
    # Run as a script, this file is ``__main__``; the loop runs in the module the runner
    # imports, for the same reason as ``ledger.prefetch``'s.
    from projections import readahead

    readahead.serve()
