"""The ledger verifier: recomputes the Merkle tree from the stored events, page by page.

For every event in log order it recomputes the leaf hash from the stored row
(``ledger.leaf``), appends it to the tree (leaves and every completed perfect
subtree of ``STORED_FROM`` levels or more are stored, so roots and proofs for any size
are O(log n) lookups; a smaller subtree is recomputed from its at most eight leaves),
and compares the event with the journal entry the recorder wrote with it:

- an event with no journal entry was ``inserted`` outside the registry;
- a journal entry whose event is gone was ``deleted``;
- a position holding another aggregate's event was ``reordered`` (or replaced);
- a changed leaf hash was ``edited``;
- a journal entry whose HMAC seal fails, or a gap in the journal, was tampered with.

Each signed checkpoint met in the log is checked: its signature with the ledger's
verifier key, and its root against the recomputed tree at its size. Problems are
rows in ``ledger_problems``; the tables are a read model like any other, dropped
and rebuilt from the events with identical results (``registry ledger verify``
does exactly that, so edits to already-verified rows are found too).
"""

import threading
from bisect import bisect_left
from contextlib import contextmanager
from typing import ClassVar

from ledger import merkle
from ledger.journal import COLUMNS as JOURNAL_COLUMNS
from ledger.journal import TABLE as JOURNAL
from ledger.journal import sealer, written_with
from ledger.keys import VerifierKey
from ledger.leaf import dashed, leaf_digest, originator_bytes
from ledger.notes import NoteError, open_note
from ledger.prefetch import Hashed, Prefetch
from projections.engine import Projection, ProjectionFailed
from projections.eventlog import EVERY_AGGREGATE, event_name, logged_row, range_end

CHECKPOINT_TOPIC = "registry.checkpoint:LedgerCheckpoint.Signed"
JOURNAL_CHUNK = 1000
LEAF_BLOCK = 256
"""Leaves per row of ``ledger_leaf_blocks``: block ``b`` holds leaves ``b * LEAF_BLOCK``
onwards, their positions (decimal, comma-separated) and leaf hashes (hex, 64 digits
each), in order. A row per leaf cost more to write than the rest of a verification's
filing together (two b-trees per leaf on SQLite); a block is one row, rewritten while it
fills, and a lookup reads one block."""
STORED_FROM = 4
"""The lowest level of the tree whose nodes are stored (a node of level ``l`` covers
``2**l`` leaves). Below it a node is the hash of at most eight stored leaves, made again
when a root or a proof asks for it (one such node per level of a path): storing them
would write fifteen node rows for every sixteen leaves, ~10% of a verification."""


class Ledger(Projection):
    name = "ledger"
    tables: ClassVar[dict[str, str]] = {
        "ledger_leaf_blocks": "CREATE TABLE IF NOT EXISTS ledger_leaf_blocks ("
        "block BIGINT PRIMARY KEY, first_position BIGINT NOT NULL, "
        "last_position BIGINT NOT NULL, positions TEXT NOT NULL, leaf_hashes TEXT NOT NULL)",
        "ledger_nodes": "CREATE TABLE IF NOT EXISTS ledger_nodes (level INTEGER NOT NULL "
        f"CHECK (level >= {STORED_FROM}), node_index BIGINT NOT NULL, hash TEXT NOT NULL, "
        "PRIMARY KEY (level, node_index))",
        "ledger_checkpoints": "CREATE TABLE IF NOT EXISTS ledger_checkpoints ("
        "tree_size BIGINT PRIMARY KEY, position BIGINT NOT NULL, root_hash TEXT NOT NULL, "
        "signed_at TEXT NOT NULL, note TEXT NOT NULL, verified INTEGER NOT NULL, "
        "problem TEXT)",
        "ledger_problems": "CREATE TABLE IF NOT EXISTS ledger_problems ("
        "position BIGINT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, "
        "PRIMARY KEY (position, kind))",
        "ledger_state": "CREATE TABLE IF NOT EXISTS ledger_state (id INTEGER PRIMARY KEY, "
        "leaves BIGINT NOT NULL, journal_next BIGINT NOT NULL, "
        "journal_position BIGINT NOT NULL, frontier TEXT NOT NULL)",
    }
    indexes = ("CREATE UNIQUE INDEX IF NOT EXISTS ledger_leaf_blocks_position "
               "ON ledger_leaf_blocks (first_position)",)
    retired = ("ledger_leaves",)  # a row per leaf, before LEAF_BLOCK
    # Every row is read by ``file_range`` as stored, not read and decoded by the runner.
    set_based_aggregates = EVERY_AGGREGATE
    pages_of = 5

    # A catch-up of more ranges than this (a verification, a rebuild; not the catch-up
    # after a command) has the next ranges hashed by worker processes (``ledger.prefetch``).
    prefetch_after = 2
    prefetch_workers = 2

    def __init__(self, key=None):
        self.verifier: VerifierKey | None = key.verifier if key else None
        self.mac_key: bytes = key.mac_key if key else b""
        # Per thread (a scheduler's jobs may catch up beside each other): the range size
        # and the ranges filed during a catch-up, its workers, and how many of its ranges
        # they hashed.
        self._local = threading.local()

    @property
    def hashed_ahead(self) -> int:
        """Of the ranges this thread's latest catch-up filed, how many workers hashed."""
        return getattr(self._local, "hashed_ahead", 0)

    def create(self, cursor, indexes: bool = True) -> None:
        super().create(cursor, indexes)
        if cursor.engine == "postgres":
            # A block's text is hex and digits: PostgreSQL's compression of it (the
            # default for a value over 2 kB) saves almost nothing and cost 1.3 us a leaf
            # of the server's time, more than storing it.
            cursor.execute("ALTER TABLE ledger_leaf_blocks ALTER COLUMN positions SET "
                           "STORAGE EXTERNAL, ALTER COLUMN leaf_hashes SET STORAGE EXTERNAL")

    @contextmanager
    def catching_up(self, store, size: int):
        local = self._local
        local.ahead, local.prefetch, local.hashed_ahead = (size, 0), None, 0
        local.ends = {}  # the ranges handed to workers: {after: (last, count)}
        try:
            yield
        finally:
            local.ahead, prefetch, local.prefetch, local.ends = None, local.prefetch, None, {}
            if prefetch is not None:
                prefetch.close()

    def known_range(self, after: int, size: int) -> tuple[int, int] | None:
        """A range handed to a worker, counted then (the runner need not count it again)."""
        ahead, ends = getattr(self._local, "ahead", None), getattr(self._local, "ends", None)
        if not ends or ahead is None or ahead[0] != size or not self.set_based:
            return None
        return ends.pop(after, None)

    def start_page(self, cursor) -> None:
        state = cursor.execute("SELECT * FROM ledger_state WHERE id = 1").fetchone()
        if state is None:
            state = {"leaves": 0, "journal_next": 0, "journal_position": 0, "frontier": ""}
        self._leaves = int(state["leaves"])
        self._journal_next = int(state["journal_next"])
        self._journal_position = int(state["journal_position"])
        self._frontier = merkle.Frontier.restore(
            self._leaves, [bytes.fromhex(h) for h in state["frontier"].split(",") if h])
        # The page's checkpoints: each with its leaf index and the root of the tree just
        # before its leaf (that of the size a checkpoint usually signs).
        self._events, self._node_rows, self._checkpoints = [], [], []
        self._first_leaf, self._leaf_positions, self._leaf_hexes = self._leaves, [], []

    def apply(self, cursor, logged) -> None:
        """An event the runner read and decoded (only with ``set_based`` off)."""
        stored = logged.notification
        if stored.topic == CHECKPOINT_TOPIC:
            self._add_checkpoint(logged)
        else:
            self._add(logged.position, stored.originator_id, stored.originator_version,
                      stored.topic, stored.state)

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        """Every stored row after ``after`` up to ``last``, read as stored: the leaf is
        built from the row's own columns, and only checkpoints are decoded. A row that
        cannot be made a leaf (an aggregate id that is no UUID) stops the read model
        there, named by its position."""
        store = cursor.store
        hashed = self._hashed_ahead(cursor, after, last)
        if hashed is not None:
            self._file_hashed(hashed, store)
            return
        position = store.events_position
        rows = cursor.tuples(
            f"SELECT {position}, originator_id, originator_version, topic, state "
            f"FROM {store.events_table} WHERE {position} > ? AND {position} <= ? "
            f"ORDER BY {position}", (after, last))
        add = self._add
        for at, originator, version, topic, state in rows:
            try:
                if topic == CHECKPOINT_TOPIC:
                    self._add_checkpoint(_logged((at, originator, version, topic, state),
                                                 store))
                else:
                    add(at, originator, version, topic, state)
            except Exception as error:
                raise ProjectionFailed(self.name, at, event_name(topic), error) from error

    def _hashed_ahead(self, cursor, after: int, last: int) -> Hashed | None:
        """The workers' result for this range, if they found nothing wrong in it and it
        follows the journal entries compared so far; meanwhile each idle worker is given
        the next range not yet handed out. The workers start once a catch-up has filed
        ``prefetch_after`` ranges and more follow this one."""
        local = self._local
        if getattr(local, "ahead", None) is None or not self.set_based:
            return None
        size, ranges = local.ahead
        local.ahead = (size, ranges + 1)
        store = cursor.store
        if local.prefetch is None:
            if (ranges < self.prefetch_after or not store.shared
                    or not range_end(cursor, store, last, 1)[1]):  # this range is the last
                return None
            local.prefetch = Prefetch(store, self.mac_key, CHECKPOINT_TOPIC,
                                      self.prefetch_workers, STORED_FROM)
        prefetch = local.prefetch
        hashed = prefetch.take(after, last)
        start = prefetch.asked_up_to or last
        while prefetch.can_ask:
            end, count = range_end(cursor, store, start, size)
            if not count:
                break
            local.ends[start] = (end, count)
            prefetch.ask(start, end)
            start = end
        if hashed is None or hashed.first_entry != self._journal_next or self._events:
            return None
        return hashed

    def _file_hashed(self, hashed: Hashed, store) -> None:
        """A range the workers hashed and found in the journal: its leaves put in the
        tree, its checkpoints kept; the journal compared up to its last entry."""
        checkpoints = dict(hashed.checkpoints)
        if hashed.first_entry == self._leaves and hashed.segments:
            self._put_subtrees(hashed, checkpoints, store)
        else:  # the tree is not where the workers took it to be: leaf by leaf
            put = self._put_leaf
            for i, (at, hexed) in enumerate(zip(hashed.positions, hashed.hexes)):
                if i in checkpoints:
                    self._keep_checkpoint(checkpoints[i], store)
                put(at, bytes.fromhex(hexed))
        self._local.hashed_ahead += 1
        self._journal_next = hashed.first_entry + len(hashed.positions)
        self._journal_position = hashed.last

    def _put_subtrees(self, hashed: Hashed, checkpoints: dict, store) -> None:
        """A hashed range's leaves put in the tree a subtree at a time (their nodes
        inside the subtrees came hashed with them), each checkpoint kept with the tree
        just before its leaf, where a segment starts."""
        start = self._leaves
        self._leaf_positions.extend(hashed.positions)
        self._leaf_hexes.extend(hashed.hexes)
        self._node_rows.extend(hashed.nodes)
        append, node_rows = self._frontier.append_subtree, self._node_rows
        for first, subtrees in hashed.segments:
            self._leaves = start + first
            if first in checkpoints:
                self._keep_checkpoint(checkpoints[first], store)
            for level, _, node in subtrees:
                # The nodes it completes over leaves before it are the verifier's to keep.
                node_rows.extend((up, index, made.hex()) for up, index, made
                                 in append(level, node)[1:] if up >= STORED_FROM)
        self._leaves = start + len(hashed.positions)

    def _keep_checkpoint(self, row: tuple, store) -> None:
        """A checkpoint row the workers hashed, kept with the tree before its leaf (the
        next one); a row that cannot be made an event stops the read model there."""
        try:
            logged = _logged(row, store)
        except Exception as error:
            raise ProjectionFailed(self.name, row[0], event_name(row[3]), error) from error
        self._checkpoints.append((logged, self._leaves, self._frontier.root()))

    def _add_checkpoint(self, logged) -> None:
        """A checkpoint's leaf, the checkpoint kept with the tree its leaf extends."""
        before = (self._leaves, self._frontier.root())
        stored = logged.notification
        self._add(logged.position, stored.originator_id, stored.originator_version,
                  stored.topic, stored.state)
        self._checkpoints.append((logged, *before))

    def _add(self, position: int, originator, version: int, topic: str, state) -> None:
        """The event's leaf: hashed, put in the tree, kept to compare with the journal."""
        raw = originator_bytes(originator)
        version = int(version)
        digest = leaf_digest(position, raw, version, topic, bytes(state))
        self._events.append((position, raw, version, self._put_leaf(position, digest)))

    def _put_leaf(self, position: int, digest: bytes) -> str:
        """A leaf hash appended to the tree: its row, and a row for every node of
        ``STORED_FROM`` levels or more it completes; returns the hash in hex."""
        hexed = digest.hex()
        leaves = self._leaves
        self._leaf_positions.append(position)
        self._leaf_hexes.append(hexed)
        self._leaves = leaves + 1
        completed = self._frontier.append(digest)  # lowest first: levels 0, 1, 2, ...
        if len(completed) > STORED_FROM:
            self._node_rows.extend((level, index, node.hex()) for level, index, node
                                   in completed[STORED_FROM:])
        return hexed

    def finish_page(self, cursor) -> None:
        _write_leaves(cursor, self._first_leaf, self._leaf_positions, self._leaf_hexes)
        cursor.executemany("INSERT INTO ledger_nodes (level, node_index, hash) "
                           "VALUES (?, ?, ?)", self._node_rows)
        problems = self._compare_with_journal(cursor)
        for logged, leaf, root_before in self._checkpoints:
            problems += self._check_checkpoint(cursor, logged, leaf, root_before)
        cursor.executemany("INSERT INTO ledger_problems (position, kind, detail) "
                           "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", problems)
        cursor.execute("DELETE FROM ledger_state WHERE id = 1")
        cursor.execute("INSERT INTO ledger_state (id, leaves, journal_next, journal_position, "
                       "frontier) VALUES (1, ?, ?, ?, ?)",
                       (self._leaves, self._journal_next, self._journal_position,
                        ",".join(h.hex() for h in self._frontier.hashes)))

    def _compare_with_journal(self, cursor) -> list[tuple]:
        """Each event of the page against the journal entry written with it. An entry
        that is the next one, sealed, at the event's position, for the same aggregate
        and version and with the same leaf hash is the usual case and costs one pass of
        comparisons; anything else goes through ``_mismatch``, which says what differs."""
        problems = []
        seal = sealer(self.mac_key).seal
        entries = _journal(cursor, self._journal_next, len(self._events))
        entry = next(entries, None)
        for event in self._events:
            if entry is not None and written_with(entry, self._journal_next, *event, seal):
                self._journal_next, self._journal_position = entry[0] + 1, entry[1]
                entry = next(entries, None)
                continue
            entry = self._mismatch(event, entry, entries, seal, problems)
        return problems

    def _mismatch(self, event, entry, entries, seal, problems: list):
        """What the journal says of an event that is not the usual case: an entry
        missing (a gap, a deletion), altered (its seal), or another event's; returns the
        entry to compare the next event with."""
        position, raw, version, digest = event
        originator = dashed(raw)
        while True:
            if entry is None:
                problems.append(_inserted(position, originator, version))
                return entry
            index, at, entry_originator, entry_version, entry_hash, sealed = entry
            index, at, entry_version = int(index), int(at), int(entry_version)
            if index != self._journal_next:
                problems.append((self._journal_position + 1, "gap",
                                 f"journal entries {self._journal_next} to {index - 1} "
                                 f"are missing: events after position "
                                 f"{self._journal_position} were deleted with them"))
                self._journal_next = index
            if seal(index, at, entry_hash) != sealed:
                problems.append((at, "journal", f"the journal entry for position {at} "
                                 "was altered: its seal does not match"))
            if at < position:
                problems.append((at, "deleted",
                                 f"the event recorded at position {at} "
                                 f"({entry_originator} version {entry_version}) "
                                 "is missing from the log"))
                entry = self._advance(entry, entries)
                continue
            if at > position:
                problems.append(_inserted(position, originator, version))
                return entry
            if (entry_originator, entry_version) != (originator, version):
                problems.append((position, "reordered",
                                 f"position {position} holds {originator} version "
                                 f"{version}, but the registry wrote "
                                 f"{entry_originator} version {entry_version} there"))
            elif entry_hash != digest:
                problems.append((position, "edited",
                                 f"the event at position {position} ({originator} "
                                 f"version {version}) was changed after it was written"))
            return self._advance(entry, entries)

    def _advance(self, entry, entries):
        self._journal_next, self._journal_position = int(entry[0]) + 1, int(entry[1])
        return next(entries, None)

    def _check_checkpoint(self, cursor, logged, leaf: int, root_before: bytes) -> list[tuple]:
        try:
            data = logged.event
        except Exception as error:  # a checkpoint row rewritten into something unreadable
            return [(logged.position, "checkpoint", "the checkpoint stored here cannot be read "
                     f"({type(error).__name__}: {error})")]
        problem = None
        try:
            if self.verifier is None:
                raise NoteError("no ledger key is configured to check signatures with")
            signed = open_note(data.note, self.verifier)
            if (signed.tree_size, signed.root_hash.hex()) != (data.tree_size, data.root_hash):
                raise NoteError("the recorded size or root differs from the signed note")
            # The checkpoint's own leaf is already in the tree, so its size is below it.
            if signed.tree_size > leaf:
                raise NoteError(f"it covers {signed.tree_size} leaves but only {leaf} "
                                "events precede it")
            # Usually the tree it signed is the one its own leaf extends; an older one
            # (events saved between signing and recording) is read from the stored tree.
            recomputed = (root_before if signed.tree_size == leaf
                          else merkle.root(signed.tree_size, subtree(cursor)))
            if recomputed != signed.root_hash:
                raise NoteError(f"the events now stored give root {recomputed.hex()}, not "
                                f"the signed {signed.root_hash.hex()}: an event up to leaf "
                                f"{signed.tree_size} was changed, removed or added")
        except NoteError as error:
            problem = str(error)
        cursor.execute("INSERT INTO ledger_checkpoints (tree_size, position, root_hash, "
                       "signed_at, note, verified, problem) VALUES (?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT DO NOTHING",
                       (data.tree_size, logged.position, data.root_hash, data.signed_at,
                        data.note, 0 if problem else 1, problem))
        if problem is None:
            return []
        return [(logged.position, "checkpoint",
                 f"checkpoint of {data.tree_size} leaves fails: {problem}")]


def _logged(row: tuple, store):
    """A ``LoggedEvent`` of a row read as stored (position, originator_id,
    originator_version, topic, state)."""
    at, originator, version, topic, state = row
    return logged_row({"position": at, "originator_id": originator,
                       "originator_version": version, "topic": topic, "state": state},
                      store.mapper)


def _inserted(position: int, originator: str, version: int) -> tuple:
    return (position, "inserted", f"the event at position {position} ({originator} version "
            f"{version}) has no journal entry: it was not written by the registry")


def _journal(cursor, start: int, first: int = JOURNAL_CHUNK):
    """Journal entries from leaf index ``start`` on, as tuples of ``JOURNAL_COLUMNS``,
    fetched a chunk at a time (the first of ``first`` entries: as many as the page has
    events, which is what it usually needs)."""
    size = max(1, first)
    while True:
        rows = cursor.tuples(f"SELECT {JOURNAL_COLUMNS} FROM {JOURNAL} WHERE leaf_index >= ? "
                             "ORDER BY leaf_index LIMIT ?", (start, size))
        yield from rows
        if len(rows) < size:
            return
        start, size = int(rows[-1][0]) + 1, JOURNAL_CHUNK


def subtree(cursor):
    """subtree(level, index) over the stored tree, for merkle.root and the proofs."""
    def lookup(level: int, index: int) -> bytes:
        return stored_nodes(cursor, [(level, index)])[(level, index)]
    return lookup


def stored_nodes(cursor, keys) -> dict[tuple[int, int], bytes]:
    """The tree's nodes at ``keys`` ((level, index); level 0: leaves), read a few hundred
    per query (a node below ``STORED_FROM`` made from its leaves, read with the others);
    a key the tree does not hold raises LookupError."""
    keys = set(keys)
    made = {(level, index) for level, index in keys if 0 < level < STORED_FROM}
    read = (keys - made) | {(0, leaf) for level, index in made
                            for leaf in range(index << level, (index + 1) << level)}
    by_level: dict[int, list[int]] = {}
    for level, index in read:
        by_level.setdefault(level, []).append(index)
    found = {(0, index): bytes.fromhex(leaf[1])
             for index, leaf in leaves_at(cursor, by_level.pop(0, ())).items()}
    for level, indexes in sorted(by_level.items()):
        indexes.sort()
        for start in range(0, len(indexes), 500):
            chunk = indexes[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = cursor.execute(f"SELECT node_index, hash FROM ledger_nodes WHERE "
                                  f"level = ? AND node_index IN ({marks})",
                                  (level, *chunk)).fetchall()
            found.update(((level, int(r["node_index"])), bytes.fromhex(r["hash"]))
                         for r in rows)
    for level, index in sorted(read):
        if (level, index) not in found:
            raise LookupError(f"the ledger has no node at level {level}, index {index}")
    for level, index in made:
        found[(level, index)] = merkle.mth(
            [found[(0, leaf)] for leaf in range(index << level, (index + 1) << level)])
    return found


def attach_leaves(store, items: list[dict]) -> list[dict]:
    """Give each audit item its ledger leaf index and hash (None until the ledger has it)."""
    with store.reading() as cursor:
        found = leaves_of(cursor, [int(item["position"]) for item in items])
    for item in items:
        leaf = found.get(int(item["position"]))
        item["leaf_index"] = None if leaf is None else leaf[0]
        item["leaf_hash"] = None if leaf is None else leaf[1]
    return items


# -- the leaves, a block of LEAF_BLOCK to a row -------------------------------------------

def _write_leaves(cursor, first: int, positions: list[int], hexes: list[str]) -> None:
    """Leaves ``first`` onwards (their positions and leaf hashes in hex) put in their
    blocks: a block they finish or fill part of is written whole (with the leaves it
    held already, read back)."""
    if not positions:
        return
    block, held = divmod(first, LEAF_BLOCK)
    hashes = "".join(hexes)
    if held:
        row = cursor.execute("SELECT positions, leaf_hashes FROM ledger_leaf_blocks "
                             "WHERE block = ?", (block,)).fetchone()
        before = [int(p) for p in row["positions"].split(",")] if row else []
        if len(before) != held:
            raise LookupError(f"the ledger's leaf block {block} holds {len(before)} leaves, "
                              f"not the {held} before leaf {first}")
        positions, hashes = before + positions, row["leaf_hashes"] + hashes
    rows = []
    for start in range(0, len(positions), LEAF_BLOCK):
        chunk = positions[start:start + LEAF_BLOCK]
        rows.append((block + start // LEAF_BLOCK, chunk[0], chunk[-1],
                     ",".join(map(str, chunk)), hashes[64 * start:64 * (start + len(chunk))]))
    cursor.executemany(
        "INSERT INTO ledger_leaf_blocks (block, first_position, last_position, positions, "
        "leaf_hashes) VALUES (?, ?, ?, ?, ?) ON CONFLICT (block) DO UPDATE SET "
        "last_position = excluded.last_position, positions = excluded.positions, "
        "leaf_hashes = excluded.leaf_hashes", rows)


class _Block:
    """One row of ``ledger_leaf_blocks``, decoded."""

    def __init__(self, row):
        self.first = int(row["block"]) * LEAF_BLOCK
        self.positions = [int(p) for p in row["positions"].split(",")]
        self.hashes = row["leaf_hashes"]

    def leaf(self, offset: int) -> tuple[int, str]:
        """(position, leaf hash in hex) of its leaf ``offset``."""
        return self.positions[offset], self.hashes[64 * offset:64 * offset + 64]


def leaves_at(cursor, indexes) -> dict[int, tuple[int, str]]:
    """{leaf index: (its event's position, its leaf hash in hex)} for the leaves the
    ledger holds of ``indexes``."""
    wanted: dict[int, list[int]] = {}
    for index in {int(i) for i in indexes}:
        wanted.setdefault(index // LEAF_BLOCK, []).append(index)
    found = {}
    numbers = sorted(wanted)
    for start in range(0, len(numbers), 100):
        chunk = numbers[start:start + 100]
        for row in cursor.execute("SELECT block, positions, leaf_hashes FROM "
                                  f"ledger_leaf_blocks WHERE block IN "
                                  f"({', '.join('?' * len(chunk))})", chunk).fetchall():
            block = _Block(row)
            for index in wanted[int(row["block"])]:
                if index - block.first < len(block.positions):
                    found[index] = block.leaf(index - block.first)
    return found


def leaves_of(cursor, positions) -> dict[int, tuple[int, str]]:
    """{position: (its leaf index, its leaf hash in hex)} for the events at ``positions``
    the ledger holds: one block read for each run of positions in the same block."""
    found, block, last = {}, None, None
    for position in sorted({int(p) for p in positions}):
        if block is None or position > last:
            row = cursor.execute("SELECT block, last_position, positions, leaf_hashes FROM "
                                 "ledger_leaf_blocks WHERE first_position <= ? ORDER BY "
                                 "first_position DESC LIMIT 1", (position,)).fetchone()
            if row is None:
                continue
            block, last = _Block(row), int(row["last_position"])
        offset = bisect_left(block.positions, position)
        if offset < len(block.positions) and block.positions[offset] == position:
            found[position] = (block.first + offset, block.leaf(offset)[1])
    return found
