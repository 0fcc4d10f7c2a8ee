"""Settling a read model's owed figures: a part per transaction, and on more than one core.

Benchmarks and SPC charts do not recompute their figures page by page. Each page marks
the keys whose facts it changed (cells, series) in a scratch table written in the page's
transaction, and once the log is caught up the marked keys are recomputed in order, a
part per transaction (``Settles``). Most of that is arithmetic in Python (funnels,
intervals, ranks, XmR limits) over facts read from the store: about 5 ms a benchmark
cell, which after a full-scale rebuild was 97-114 s on one core.

During a long settling (after a rebuild, or an import of a new year), ``Settling`` has
worker processes (``python -m projections.settling``, each over its own connection)
compute parts from their own snapshots while this process stores each part as it comes,
in a transaction of its own. A worker answers with the figures of its part and the read
model's position in its snapshot. The figures are stored only if the position is still
that one when they are written: facts change only as pages are applied, and every page
moves the position, so the same position means the same facts and the same figures.
Otherwise (another process applied pages meanwhile), or if a worker failed or died, the
part is computed again in the transaction that stores it, as without workers. Parts are
independent (their keys are disjoint), so the order they are stored in does not matter.
"""

from collections import deque
from importlib import import_module

from projections import workers
from projections.store import ReadStore, placeholders
from projections.workers import WorkerProcess, ready_to_answer, worker_env


class Settles:
    """A read model whose pages mark keys (``owed_table``, columns ``key``) and whose
    figures (``figure_tables``: each table's columns, its rows found by the same key
    columns) are recomputed from the facts once the log is caught up, ``part_size`` keys
    per transaction. A subclass says how to compute a part (``compute_part``)."""

    owed_table: str
    key: tuple[str, ...]
    figure_tables: dict[str, tuple[str, ...]]
    # Worker processes computing parts, and how many parts must be owed first: a worker
    # takes about a second to start (SciPy's import, mostly), and each part's figures
    # cross a pipe, so a short settling is quicker alone.
    settle_workers = 2
    settle_in_parallel_after = 8

    @property
    def part_size(self) -> int:
        raise NotImplementedError

    def prepare_settling(self, cursor) -> None:
        """Before the owed keys are read, in a write transaction: a read model that records
        "everything is owed" once (a rebuild) marks the keys here."""

    def owed(self, cursor) -> int:
        return int(cursor.execute(f"SELECT COUNT(*) AS n FROM {self.owed_table}")
                   .fetchone()["n"])

    def owed_keys(self, cursor, limit: int | None = None) -> list[tuple]:
        """The marked keys in key order (the first ``limit`` of them)."""
        columns = ", ".join(self.key)
        statement = f"SELECT {columns} FROM {self.owed_table} ORDER BY {columns}"
        if limit is None:
            return [tuple(row) for row in cursor.tuples(statement)]
        return [tuple(row) for row in cursor.tuples(f"{statement} LIMIT ?", (limit,))]

    def compute_part(self, cursor, keys: list[tuple]) -> dict[str, list[list]]:
        """The figures of ``keys`` from the facts as the cursor sees them: for each of
        ``figure_tables``, its rows (values in its columns' order). Reads only."""
        raise NotImplementedError

    def store_part(self, cursor, keys: list[tuple], figures: dict[str, list[list]]) -> None:
        """Replace the stored figures of ``keys`` with ``figures`` and unmark the keys."""
        where = " AND ".join(f"{column} = ?" for column in self.key)
        for table, columns in self.figure_tables.items():
            cursor.executemany(f"DELETE FROM {table} WHERE {where}", keys)
            cursor.executemany(f"INSERT INTO {table} VALUES ({placeholders(columns)})",
                               figures.get(table, []))
        cursor.executemany(f"DELETE FROM {self.owed_table} WHERE {where}", keys)

    def settle(self, cursor) -> bool:
        """Recompute the first ``part_size`` marked keys (in key order) from their facts."""
        self.prepare_settling(cursor)
        size = self.part_size
        keys = self.owed_keys(cursor, size)
        if not keys:
            return False
        self.store_part(cursor, keys, self.compute_part(cursor, keys))
        return len(keys) == size


def position(cursor, name: str) -> int:
    row = cursor.execute("SELECT position FROM projection_positions WHERE name = ?",
                         (name,)).fetchone()
    return int(row["position"]) if row else 0


def settle_in_parallel(store, projection: Settles, transaction, progress=None,
                       total: int = 0) -> bool:
    """Settle what ``projection`` owes with worker processes computing the parts (see the
    module), this process storing each as it comes, in a ``transaction()`` of its own
    (the runner's, which on PostgreSQL locks the read model's position first). A part
    whose worker failed or died, or whose figures are of another position, is computed
    again here, in the transaction that stores it; so are the first parts, while the
    workers start. True once every key owed at the start is settled; False if there
    were too few parts to be worth workers: nothing is settled then, and when ``total``
    (the count owed) already says so, nothing is read or written either (the usual
    catch-up owes a cell or two)."""
    size, after = projection.part_size, projection.settle_in_parallel_after
    if total <= after * size or projection.settle_workers < 1 or not store.shared:
        return False
    with transaction() as cursor:
        projection.prepare_settling(cursor)
    with store.reading() as cursor:
        keys = projection.owed_keys(cursor)
    pending = deque(keys[start:start + size] for start in range(0, len(keys), size))
    if len(pending) <= after:
        return False
    settled = 0
    with Settling(store, projection, projection.settle_workers) as pool:
        while pending or pool.busy:
            while pending and pool.can_ask:
                pool.ask(pending.popleft())
            answers = pool.answers(wait=pool.answered or not pending)
            if not answers and pending:  # the workers are starting: a part meanwhile
                answers = [(pending.popleft(), None)]
            for part, answer in answers:
                with transaction() as cursor:
                    settle_part(cursor, projection, part, answer)
                settled += len(part)
                if progress:
                    progress(f"{projection.name} figures", settled, max(total, settled))
    return True


def settle_part(cursor, projection: Settles, part: list[tuple], answer: tuple | None
                ) -> bool:
    """Store the figures of ``part``: a worker's ``answer`` (position, figures) if the read
    model is still at that position, else (no answer, or the position has moved) those
    computed here from the facts as they are now. True if the worker's were stored."""
    if answer is not None and position(cursor, projection.name) == answer[0]:
        projection.store_part(cursor, part, answer[1])
        return True
    projection.store_part(cursor, part, projection.compute_part(cursor, part))
    return False


class Settling:
    """Worker processes computing parts of a read model's owed figures (see the module).

    Each is ``python -m projections.settling``: the store and the read model's class
    first, then one part (its keys) at a time, answered by ``(position, figures)`` or
    by the error that stopped it."""

    def __init__(self, store, projection: Settles, count: int = 2):
        cls = type(projection)
        first = (store.spec(), f"{cls.__module__}:{cls.__qualname__}")
        env = worker_env()
        self._idle = [worker for worker in (WorkerProcess("projections.settling", env, first)
                                            for _ in range(count)) if worker.alive]
        self._asked: dict[WorkerProcess, list[tuple]] = {}
        self.answered = False  # whether any worker has answered yet

    def __enter__(self) -> "Settling":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def can_ask(self) -> bool:
        return bool(self._idle)

    @property
    def busy(self) -> bool:
        return bool(self._asked)

    def ask(self, part: list[tuple]) -> None:
        worker = self._idle.pop(0)
        if worker.send(part):
            self._asked[worker] = part

    def answers(self, wait: bool) -> list[tuple[list[tuple], tuple | None]]:
        """``(part, (position, figures))`` for each worker that has answered (``None``
        for a part whose worker failed or died: it is left out); with ``wait``, at least
        one unless none is computing."""
        ready = ready_to_answer(list(self._asked), None if wait else 0)
        found = []
        for worker in ready:
            part = self._asked.pop(worker)
            answer = worker.answer()
            if worker.alive:
                self._idle.append(worker)
            self.answered = True
            found.append((part, answer[1] if answer and answer[0] == "done" else None))
        return found

    def close(self) -> None:
        """Stop the workers (killed if still computing)."""
        for worker in self._asked:
            worker.stop(kill=True)
        for worker in self._idle:
            worker.stop(kill=False)
        self._asked.clear()
        self._idle.clear()


# -- in the worker process ---------------------------------------------------------------

_worker: dict = {}


def serve() -> None:
    """The worker's loop (``python -m projections.settling``): the store and the read
    model's class, then parts until its input ends, each answered by ``_compute``."""
    workers.serve(_compute, _open)


def _open(first: tuple) -> None:
    spec, path = first
    module, name = path.split(":")
    store = ReadStore.of_spec(spec)
    with store.reading() as cursor:  # fails now if the store cannot be read
        cursor.execute("SELECT 1 AS one").fetchone()
    _worker.update(store=store, projection=getattr(import_module(module), name)())


def _compute(keys: list[tuple]) -> tuple[int, dict]:
    """The read model's position and the part's figures, read in one snapshot."""
    projection = _worker["projection"]
    with _worker["store"].reading() as cursor:
        return position(cursor, projection.name), projection.compute_part(cursor, keys)


if __name__ == "__main__":
    # Run as a script, this file is ``__main__``; the loop runs in the module the runner
    # imports, so that the read model's class is the one its name gives.
    from projections import settling

    settling.serve()
