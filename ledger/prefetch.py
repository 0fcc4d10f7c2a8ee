"""The ledger verifier's second core: the next range of the log hashed in a worker process.

Verifying the log is, for each stored row, two kinds of work. The first needs nothing
but the row and its journal entry: read the row, build and hash its leaf, read the
journal entry written with it and check that the entry is the next one, at the row's
position, for the same aggregate and version, with the same leaf hash and a good seal.
The second needs the tree: append the leaf, keep the nodes it completes, write them.

During a long catch-up (``registry ledger verify``, a rebuild), ``Prefetch`` has worker
processes do the first kind for the ranges after the one the verifier is filing, on the
other core, each over its own connection to the same store, while the verifier does the
second. The verifier takes a range's result only if a worker read exactly that range and
found every row's journal entry in order and sealed; anything else (a row a worker could
not read, an entry missing, moved or altered) is done again in the verifier's own
process, which explains what differs exactly as it does without workers. The events
table is append-only, so a worker's snapshot holds the same rows up to the range's last
position as the verifier's.
"""

import sqlite3
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import psycopg
from psycopg import sql

from ledger.journal import TABLE as JOURNAL
from ledger.journal import sealer
from ledger.leaf import leaf_digest, originator_bytes
from ledger.merkle import aligned_subtrees
from projections import workers
from projections.workers import WorkerProcess, worker_env


@dataclass(frozen=True)
class Hashed:
    """A range of the log as the worker found it: the rows after ``after`` up to
    ``last``: their positions and leaf hashes (``hexes``, in hex, in order), and the
    checkpoint rows among them by their place in the range (the
    verifier decodes those). Every row's journal entry was found in order and sealed, the
    first being entry ``first_entry``.

    The tree too, for when the range's leaves are leaves ``first_entry`` onwards (the
    usual case): the range cut before each checkpoint into ``segments``, each ``(its
    first row's place in the range, its aligned subtrees)`` (``merkle.aligned_subtrees``),
    and the ``nodes`` inside those subtrees that the ledger stores ((level, index, hash
    in hex), level ``stored_from`` or more). The verifier appends the subtrees in order,
    which hashes only the nodes that also cover leaves outside a segment."""
    after: int
    last: int
    positions: tuple[int, ...]
    hexes: tuple[str, ...]
    checkpoints: tuple[tuple[int, tuple], ...]
    first_entry: int
    segments: tuple[tuple[int, tuple[tuple[int, int, bytes], ...]], ...] = ()
    nodes: tuple[tuple[int, int, str], ...] = ()


class Prefetch:
    """Worker processes hashing the ranges after the one being filed (see the module).

    Each worker is ``python -m ledger.prefetch``, spoken to over its standard input and
    output: the store and the journal's key first, then one range at a time (the
    positions it starts after and ends at), answered by the range ``Hashed`` or by the
    error that stopped it. Ranges are handed out in log order, one per worker, and taken
    back in the same order. A worker that fails or dies is left out; with none left the
    verifier goes on alone, as it does without them."""

    def __init__(self, store, mac_key: bytes, checkpoint_topic: str, workers: int = 2,
                 stored_from: int = 1):
        env = worker_env()
        spec = dict(store.spec(), checkpoint_topic=checkpoint_topic, stored_from=stored_from)
        self._idle = [worker for worker in (_Worker(env, spec, mac_key)
                                            for _ in range(workers)) if worker.alive]
        self._asked: deque[tuple[int, int, _Worker]] = deque()  # in log order

    @property
    def asked_up_to(self) -> int | None:
        """Where the last range handed out ends (None when none is out)."""
        return self._asked[-1][1] if self._asked else None

    @property
    def can_ask(self) -> bool:
        return bool(self._idle)

    def ask(self, after: int, last: int) -> None:
        """Have an idle worker hash the rows after position ``after`` up to ``last``."""
        worker = self._idle.pop(0)
        if worker.send((after, last)):
            self._asked.append((after, last, worker))

    def take(self, after: int, last: int) -> Hashed | None:
        """The result for the range after ``after`` up to ``last`` if it is the next one
        handed out and the worker found nothing wrong in it; otherwise None (and if it is
        not the next one, every range out is taken back and dropped: the ranges start
        again)."""
        if not self._asked or self._asked[0][:2] != (after, last):
            while self._asked:
                self._back()
            return None
        hashed = self._back()
        if hashed is None or (hashed.after, hashed.last) != (after, last):
            return None
        return hashed

    def close(self) -> None:
        """Stop the workers (at the end of their input; killed if still hashing)."""
        for after, last, worker in self._asked:
            worker.stop(kill=True)
        for worker in self._idle:
            worker.stop(kill=False)
        self._asked.clear()
        self._idle.clear()

    def _back(self) -> Hashed | None:
        """The answer to the first range out (the worker is idle again if it lives)."""
        worker = self._asked.popleft()[2]
        answer = worker.answer()
        if worker.alive:
            self._idle.append(worker)
        return answer


class _Worker(WorkerProcess):
    """One ``python -m ledger.prefetch`` process and its pipes."""

    def __init__(self, env: dict, spec: dict, mac_key: bytes):
        super().__init__("ledger.prefetch", env, (spec, mac_key))

    def answer(self) -> Hashed | None:
        answer = super().answer()
        return answer[1] if answer is not None and answer[0] == "done" else None


# -- in the worker process ---------------------------------------------------------------

_worker: dict = {}


def serve() -> None:
    """The worker's loop (``python -m ledger.prefetch``): what to open (the store and the
    journal's key), then ranges ``(after, last)`` until its input ends, each answered by
    ``_hash``'s result."""
    workers.serve(lambda request: _hash(*request), lambda first: _open(*first))


def _open(spec: dict, mac_key: bytes) -> None:
    if spec["engine"] == "postgres":
        conn = psycopg.connect(**spec["connect"], autocommit=True)
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(spec["schema"])))
    else:
        # Read-only: the worker never writes.
        conn = sqlite3.connect(Path(spec["path"]).resolve().as_uri() + "?mode=ro", uri=True,
                               timeout=30, isolation_level=None)
    _worker.update(spec=spec, conn=conn, seal=sealer(mac_key).seal)


def _rows(statement: str, params: tuple) -> list[tuple]:
    spec, conn = _worker["spec"], _worker["conn"]
    if spec["engine"] == "postgres":
        with conn.cursor(binary=True) as cursor:
            cursor.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall()
    return conn.execute(statement, params).fetchall()


def _hash(after: int, last: int) -> Hashed | None:
    """The rows after ``after`` up to ``last`` hashed and compared with their journal
    entries, read in one snapshot; None as soon as a row is not the usual case (its entry
    missing, elsewhere, another event's, of another hash, or not sealed).

    The test is ``journal.written_with``'s, with the parts that need no hashing done as
    the rows are read (``_joined``): each row comes with the entry at its position and
    whether that entry names the row's aggregate and version; the range must hold no
    other entry."""
    spec = _worker["spec"]
    with _snapshot(spec["engine"], _worker["conn"]):
        rows, entries = _joined(spec, after, last)
    if not rows or entries != len(rows) or rows[-1][0] != last:
        return None
    first = rows[0][5]
    positions, digests, hexes, checkpoints = [], [], [], []
    seal, checkpoint_topic = _worker["seal"], spec["checkpoint_topic"]
    for i, (at, originator, version, topic, state, index, entry_hash, sealed,
            named) in enumerate(rows):
        if not named or index != first + i:
            return None
        raw = originator if type(originator) is bytes else originator_bytes(originator)
        digest = leaf_digest(at, raw, version, topic, bytes(state))
        hexed = digest.hex()
        if hexed != entry_hash or seal(index, at, hexed) != sealed:
            return None
        positions.append(at)
        digests.append(digest)
        hexes.append(hexed)
        if topic == checkpoint_topic:
            checkpoints.append((i, (at, UUID(bytes=raw), version, topic, bytes(state))))
    segments, nodes = _tree(first, digests, [i for i, _ in checkpoints],
                            spec["stored_from"])
    return Hashed(after, last, tuple(positions), tuple(hexes), tuple(checkpoints), first,
                  segments, nodes)


def _joined(spec: dict, after: int, last: int) -> tuple[list[tuple], int]:
    """The range's rows, each ``(position, originator_id, originator_version, topic,
    state, leaf_index, leaf_hash, seal, named)`` with the journal entry at its position
    (None for each of its columns when there is none) and whether that entry names the
    row's aggregate and version; and how many entries the range holds.

    SQLite joins the two in one query (the journal names an aggregate as ``str(UUID)``,
    the events table as 32 hex digits). PostgreSQL reads the two ranges apart and pairs
    them in order: joined, each row's entry found by an index scan of its own, the
    verification took about 10% longer. Both aggregate ids come from PostgreSQL as their
    16 bytes (``uuid_send``), which compare and go into the leaf as they are; as ``UUID``
    objects they cost 0.5 us a row more."""
    position, table = spec["position"], spec["table"]
    if spec["engine"] != "postgres":
        rows = _rows(f"SELECT e.{position}, e.originator_id, e.originator_version, e.topic, "
                     f"e.state, j.leaf_index, j.leaf_hash, j.seal, (replace(j.originator_id, "
                     f"'-', '') = e.originator_id AND j.version = e.originator_version) "
                     f"FROM {table} AS e LEFT JOIN {JOURNAL} AS j ON j.position = "
                     f"e.{position} WHERE e.{position} > ? AND e.{position} <= ? "
                     f"ORDER BY e.{position}", (after, last))
        return rows, _rows(f"SELECT COUNT(*) FROM {JOURNAL} WHERE position > ? AND "
                           "position <= ?", (after, last))[0][0]
    rows = _rows(f"SELECT {position}, uuid_send(originator_id), originator_version, topic, state "
                 f"FROM {table} WHERE {position} > ? AND {position} <= ? "
                 f"ORDER BY {position}", (after, last))
    entries = _rows(f"SELECT leaf_index, position, uuid_send(originator_id::uuid), version, "
                    f"leaf_hash, seal FROM {JOURNAL} WHERE position > ? AND position <= ? "
                    "ORDER BY position", (after, last))
    return [(at, originator, version, topic, state, index, entry_hash, sealed,
             entry_at == at and entry_version == version and named == originator)
            for (at, originator, version, topic, state), (index, entry_at, named,
                                                          entry_version, entry_hash, sealed)
            in zip(rows, entries)], len(entries)


def _tree(first: int, digests: list[bytes], cuts: list[int], stored_from: int
          ) -> tuple[tuple, tuple]:
    """``Hashed.segments`` and ``Hashed.nodes`` of a range whose leaves are leaves
    ``first`` onwards, cut before the rows at places ``cuts`` (its checkpoints)."""
    bounds = sorted({0, *cuts, len(digests)})
    segments, nodes = [], []
    for start, end in zip(bounds, bounds[1:]):
        subtrees, kept = aligned_subtrees(first + start, digests[start:end], stored_from)
        segments.append((start, tuple(subtrees)))
        nodes.extend((level, index, node.hex()) for level, index, node in kept)
    return tuple(segments), tuple(nodes)


@contextmanager
def _snapshot(engine: str, conn):
    """A read-only transaction: the rows and their entries as of one moment."""
    if engine == "postgres":
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")


if __name__ == "__main__":
    # Run as a script, this file is ``__main__``; the loop runs in the module the
    # verifier imports, so that what it answers unpickles there as ``ledger.prefetch``.
    from ledger import prefetch

    prefetch.serve()
