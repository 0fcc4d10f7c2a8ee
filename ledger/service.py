"""The ledger as the registry uses it: checkpoints, proofs and verification reports.

``LedgerService`` sits on an open registry (``app.ledger``). It reads the tree the
ledger projection keeps, signs checkpoints with the key from outside the database
and records each one as an event, and builds self-contained proof documents that
``ledger.proofs.verify_document`` (or any RFC 6962 implementation) checks with the
verifier key alone.
"""

import base64
import logging
from datetime import datetime, timezone

from eventsourcing.persistence import IntegrityError

from ledger import merkle
from ledger.leaf import leaf_data
from ledger.notes import Checkpoint
from ledger.proofs import CONSISTENCY_FORMAT, INCLUSION_FORMAT
from projections.eventlog import stored_rows
from projections.ledger import leaves_at, leaves_of, stored_nodes, subtree
from registry.checkpoint import LedgerCheckpoint
from registry.errors import NotFound, RuleViolation
from registry.provenance import Actor, Provenance
from registry.services.permissions import authorise

CHECKPOINT = "tree_size, position, root_hash, signed_at, note, verified, problem"
log = logging.getLogger("registry.ledger")
SYSTEM = Actor(user_id="registry.ledger", organisation="REGISTRY", role="system")


def system_provenance(channel: str, reason: str) -> Provenance:
    """Who takes the automatic checkpoints (after imports, and on the scheduler's clock)."""
    return Provenance(actor=SYSTEM, channel=channel, reason=reason)


class LedgerProblems(RuleViolation):
    """The ledger found tampering; no checkpoint is signed over a tree that fails."""


class LedgerService:
    def __init__(self, app, key):
        self.app, self.key = app, key

    @property
    def verifier(self):
        return self.key.verifier

    @property
    def _runner(self):
        return self.app.read_side

    @property
    def _store(self):
        return self._runner.store

    def catch_up(self, progress=None) -> int:
        return self._runner.catch_up("ledger", progress)["ledger"]

    # -- state ---------------------------------------------------------------------------

    def state(self) -> dict:
        """Size, root, checkpoints and problems of the tree as verified so far."""
        self.catch_up()
        with self._store.reading() as cursor:
            return self._state(cursor)

    def _state(self, cursor) -> dict:
        row = cursor.execute("SELECT leaves FROM ledger_state WHERE id = 1").fetchone()
        size = int(row["leaves"]) if row else 0
        problems = cursor.execute("SELECT position, kind, detail FROM ledger_problems "
                                  "ORDER BY position, kind").fetchall()
        counts = cursor.execute("SELECT COUNT(*) AS n, SUM(verified) AS ok "
                                "FROM ledger_checkpoints").fetchone()
        latest = _latest(cursor)
        return {"tree_size": size, "root_hash": merkle.root(size, subtree(cursor)).hex(),
                "checkpoints": int(counts["n"] or 0),
                "checkpoints_verified": int(counts["ok"] or 0),
                "latest_checkpoint": latest, "problems": problems,
                "verifier_key": str(self.verifier)}

    def checkpoints(self) -> list[dict]:
        self.catch_up()
        return [_checkpoint(row) for row in self._store.query(
            f"SELECT {CHECKPOINT} FROM ledger_checkpoints ORDER BY tree_size")]

    def leaf(self, position: int) -> dict | None:
        """The leaf index and hash of the event at ``position``."""
        self.catch_up()
        with self._store.reading() as cursor:
            leaf = leaves_of(cursor, [position]).get(int(position))
        return None if leaf is None else {"leaf_index": leaf[0], "position": int(position),
                                          "leaf_hash": leaf[1]}

    # -- checkpoints ---------------------------------------------------------------------

    def checkpoint(self, provenance: Provenance, now: datetime | None = None) -> dict | None:
        """Sign the tree as it stands and record the checkpoint as an event.

        Returns None when there is nothing new to sign (an empty log, or nothing but
        the latest checkpoint itself since it was taken), so it is safe to repeat.
        """
        authorise(provenance, "checkpoint_ledger")
        self.catch_up()
        with self._store.reading() as cursor:
            state = self._state(cursor)
            if state["problems"]:
                first = state["problems"][0]
                raise LedgerProblems(
                    f"the ledger has {len(state['problems'])} problem(s), first at position "
                    f"{first['position']} ({first['kind']}): {first['detail']}; no checkpoint "
                    "was signed (run 'registry ledger verify')")
            size = state["tree_size"]
            if size == 0 or _only_checkpoint_since(cursor, state["latest_checkpoint"], size):
                return None
            root = merkle.root(size, subtree(cursor))
        signed_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        checkpoint = Checkpoint(self.key.name, size, root,
                                signed_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        note = checkpoint.sign(self.key)
        try:
            self.app.save(LedgerCheckpoint(
                tree_size=size, root_hash=root.hex(), signed_at=checkpoint.signed_at,
                note=note, verifier_key=str(self.verifier), provenance=provenance.as_dict()))
        except IntegrityError:
            pass  # another process signed this same tree first: its checkpoint stands
        self.catch_up()
        return self._checkpoint_row(size)

    def _checkpoint_row(self, size: int) -> dict:
        rows = self._store.query(f"SELECT {CHECKPOINT} FROM ledger_checkpoints "
                                 "WHERE tree_size = ?", (size,))
        if not rows:
            raise NotFound(f"no checkpoint covers exactly {size} leaves", "tree_size")
        return _checkpoint(rows[0])

    def latest_checkpoint(self) -> dict | None:
        self.catch_up()
        with self._store.reading() as cursor:
            return _latest(cursor)

    # -- proofs --------------------------------------------------------------------------

    def inclusion_proof(self, position: int, tree_size: int | None = None) -> dict:
        """A self-contained proof that the event at ``position`` is in a signed checkpoint."""
        self.catch_up()
        with self._store.reading() as cursor:
            leaf = leaves_of(cursor, [position]).get(int(position))
            if leaf is None:
                raise NotFound(f"no event is stored at position {position}", "position")
            index, leaf_hash = leaf
            checkpoint = self._covering(cursor, index, tree_size)
            size = int(checkpoint["tree_size"])
            path = merkle.inclusion_proof(index, size, subtree(cursor))
        stored = self.app.recorder.select_notifications(start=position, limit=1)[0]
        data = leaf_data(position, stored.originator_id, stored.originator_version,
                         stored.topic, stored.state)
        return {
            "format": INCLUSION_FORMAT,
            "leaf": {"position": position, "leaf_index": index, "leaf_hash": leaf_hash,
                     "leaf_data": base64.b64encode(data).decode(),
                     "aggregate_id": str(stored.originator_id),
                     "version": stored.originator_version, "topic": stored.topic},
            "tree_size": size,
            "proof": [node.hex() for node in path],
            "checkpoint": _public(checkpoint),
            "verifier_key": str(self.verifier),
        }

    def _covering(self, cursor, index: int, tree_size: int | None) -> dict:
        if tree_size is not None:
            row = _verified(cursor, tree_size, "tree_size")
            if index >= tree_size:
                raise RuleViolation(f"leaf {index} is not in the checkpoint of {tree_size} "
                                    "leaves: it was recorded later", "tree_size")
            return row
        row = _latest(cursor)
        if row is None or index >= int(row["tree_size"]):
            failing = cursor.execute(
                "SELECT tree_size, problem FROM ledger_checkpoints WHERE verified = 0 AND "
                "tree_size > ? ORDER BY tree_size LIMIT 1", (index,)).fetchone()
            if failing is not None:
                raise RuleViolation(
                    f"no proof is given against a checkpoint that fails verification, and "
                    f"the signed checkpoint of {int(failing['tree_size'])} leaves, the first "
                    f"to cover this event, fails: {failing['problem']}. The ledger's status "
                    "on the audit trail (or 'registry ledger verify') names what was "
                    "altered", "position")
            raise RuleViolation(
                "this event is newer than the latest signed checkpoint; a proof needs one "
                "that covers it: take a checkpoint ('registry ledger checkpoint') or wait "
                "for the next scheduled one", "position")
        return row

    def covering_checkpoint(self, positions: list[int]) -> dict | None:
        """The earliest verified checkpoint whose tree holds every event at ``positions``.

        The earliest, so that evidence anchored today is anchored to the same signed
        tree when it is rebuilt later for the same moment. None if none covers them yet.
        """
        self.catch_up()
        with self._store.reading() as cursor:
            last = max(self._leaf_indexes(cursor, positions).values(), default=-1)
            row = cursor.execute(f"SELECT {CHECKPOINT} FROM ledger_checkpoints WHERE "
                                 "verified = 1 AND tree_size > ? ORDER BY tree_size LIMIT 1",
                                 (last,)).fetchone()
        return None if row is None else _public(_checkpoint(row))

    def inclusion_paths(self, positions: list[int], tree_size: int) -> dict[int, dict]:
        """Per position: leaf index, leaf hash, leaf data (base64) and the audit path in the
        verified checkpoint of ``tree_size`` leaves.

        For a pack's thousands of events the reads are batched: which nodes a path needs
        depends only on the leaf index and the tree size, so every path is first walked
        to list its nodes, the nodes are read a few hundred per query (shared nodes once),
        and the paths are then walked again over them; the events' stored rows are read
        the same way. (A query per node and per event cost a round trip each: 20 s for a
        pack of 6,700 events on PostgreSQL.)"""
        self.catch_up()
        with self._store.reading() as cursor:
            _verified(cursor, tree_size, "tree_size")
            indexes = self._leaf_indexes(cursor, positions)
            for position in positions:
                if indexes[position] >= tree_size:
                    raise RuleViolation(f"the event at position {position} was recorded after "
                                        f"the checkpoint of {tree_size} leaves", "tree_size")
            wanted = {(0, index) for index in indexes.values()}

            def listing(level: int, index: int) -> bytes:
                wanted.add((level, index))
                return bytes(32)

            for index in indexes.values():
                merkle.inclusion_proof(index, tree_size, listing)
            nodes = stored_nodes(cursor, wanted)
            rows = self._stored_rows(cursor, positions)

        def lookup(level: int, index: int) -> bytes:
            return nodes[(level, index)]

        paths = {}
        for position in positions:
            index = indexes[position]
            row = rows[position]
            paths[position] = {
                "leaf_index": index, "leaf_hash": lookup(0, index).hex(),
                "proof": [node.hex() for node in merkle.inclusion_proof(index, tree_size,
                                                                        lookup)],
                "leaf_data": base64.b64encode(leaf_data(
                    position, row["originator_id"], int(row["originator_version"]),
                    row["topic"], bytes(row["state"]))).decode()}
        return paths

    def _stored_rows(self, cursor, positions: list[int]) -> dict[int, dict]:
        """The events' stored rows at ``positions``, as the log holds them."""
        found = stored_rows(cursor, self._store, positions)
        missing = sorted(set(int(p) for p in positions) - set(found))
        if missing:
            raise NotFound(f"no event is stored at position {missing[0]}", "position")
        return found

    @staticmethod
    def _leaf_indexes(cursor, positions: list[int]) -> dict[int, int]:
        found = {position: leaf[0] for position, leaf in leaves_of(cursor, positions).items()}
        missing = sorted(set(int(p) for p in positions) - set(found))
        if missing:
            raise NotFound(f"no event the ledger holds is stored at position {missing[0]}",
                           "position")
        return found

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> dict:
        """A proof that the checkpoint of ``new_size`` leaves extends that of ``old_size``."""
        self.catch_up()
        with self._store.reading() as cursor:
            old = _verified(cursor, old_size, "from")
            new = _latest(cursor) if new_size is None else _verified(cursor, new_size, "to")
            if int(new["tree_size"]) < old_size:
                raise RuleViolation("the later checkpoint must be at least as large", "to")
            path = merkle.consistency_proof(old_size, int(new["tree_size"]), subtree(cursor))
        return {"format": CONSISTENCY_FORMAT, "old": _public(old), "new": _public(new),
                "proof": [node.hex() for node in path], "verifier_key": str(self.verifier)}

    # -- verification --------------------------------------------------------------------

    def verify(self, full: bool = True, progress=None) -> dict:
        """Recompute the tree from the stored events (``full``) or only the new ones.

        The report lists every problem in log order; ``first_bad_position`` names the
        earliest. Journal entries past the last stored event whose events are gone
        (deleted from the end of the log) are found here too.
        """
        unreadable = []
        try:
            if full:
                self._runner.rebuild("ledger", progress)
            else:
                self.catch_up(progress)
        except Exception as error:  # a row so damaged the log cannot be read past it
            at = self._runner.position("ledger") + 1
            log.error("ledger verification stopped after position %s: %s", at - 1, error)
            unreadable.append({"position": getattr(error, "position", at), "kind": "unreadable",
                               "detail": "the log cannot be read from here on "
                                         f"({type(error).__name__}: {error})"})
        with self._store.reading() as cursor:
            state = self._state(cursor)
            problems = (list(state["problems"]) + self._deleted_at_end(cursor)
                        + self._hidden_before_start(cursor) + unreadable)
        problems.sort(key=lambda p: (p["position"], p["kind"]))
        state["problems"] = problems
        state["ok"] = not problems
        state["first_bad_position"] = problems[0]["position"] if problems else None
        state["full"] = full
        return state

    def _deleted_at_end(self, cursor) -> list[dict]:
        row = cursor.execute("SELECT journal_next FROM ledger_state WHERE id = 1").fetchone()
        start = int(row["journal_next"]) if row else 0
        store = self._store
        missing = cursor.execute(
            f"SELECT j.position, j.originator_id, j.version FROM ledger_journal j "
            f"WHERE j.leaf_index >= ? AND NOT EXISTS (SELECT 1 FROM {store.events_table} e "
            f"WHERE e.{store.events_position} = j.position) ORDER BY j.leaf_index LIMIT 1000",
            (start,)).fetchall()
        return [{"position": int(m["position"]), "kind": "deleted",
                 "detail": f"the event recorded at position {m['position']} "
                           f"({m['originator_id']} version {m['version']}) is missing from "
                           "the log"} for m in missing]


    def _hidden_before_start(self, cursor) -> list[dict]:
        """Rows placed before position 1: the log never shows them, aggregates would."""
        store = self._store
        hidden = cursor.execute(
            f"SELECT {store.events_position} AS position, originator_id, originator_version "
            f"FROM {store.events_table} WHERE {store.events_position} < 1 "
            f"ORDER BY {store.events_position} LIMIT 1000").fetchall()
        return [{"position": int(h["position"]), "kind": "inserted",
                 "detail": f"a row at position {h['position']} ({h['originator_id']} version "
                           f"{h['originator_version']}) lies outside the log: it was not "
                           "written by the registry"} for h in hidden]


def _latest(cursor) -> dict | None:
    row = cursor.execute(f"SELECT {CHECKPOINT} FROM ledger_checkpoints WHERE verified = 1 "
                         "ORDER BY tree_size DESC LIMIT 1").fetchone()
    return None if row is None else _checkpoint(row)


def _verified(cursor, size: int, field: str) -> dict:
    """The verified checkpoint of exactly ``size`` leaves; NotFound naming ``field`` if none."""
    row = cursor.execute(f"SELECT {CHECKPOINT} FROM ledger_checkpoints WHERE tree_size = ? "
                         "AND verified = 1", (size,)).fetchone()
    if row is None:
        raise NotFound(f"no verified checkpoint covers exactly {size} leaves", field)
    return _checkpoint(row)


def _checkpoint(row: dict) -> dict:
    return {**row, "tree_size": int(row["tree_size"]), "position": int(row["position"]),
            "verified": bool(row["verified"])}


def _only_checkpoint_since(cursor, latest: dict | None, size: int) -> bool:
    """True when the only leaf after the latest checkpoint is that checkpoint itself."""
    if latest is None or size != int(latest["tree_size"]) + 1:
        return False
    return int(latest["position"]) == _position_of_leaf(cursor, size - 1)


def _position_of_leaf(cursor, index: int) -> int:
    leaf = leaves_at(cursor, [index]).get(index)
    return leaf[0] if leaf else -1


def _public(row: dict) -> dict:
    return {"tree_size": int(row["tree_size"]), "root_hash": row["root_hash"],
            "signed_at": row["signed_at"], "note": row["note"]}

