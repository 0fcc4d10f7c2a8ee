"""The ledger journal: each stored event's leaf hash, written in the same transaction.

The registry's event recorders (SQLite and PostgreSQL) are the library's own,
extended so that inserting events also appends one journal entry per event:
gap-free leaf index, the event's position (notification id), aggregate id and
version, its leaf hash (``ledger.leaf``) and an HMAC seal keyed by the ledger key,
which lives outside the database. Because the entry commits with the event, an
event without one was not written by the registry, and an entry whose event has
changed or vanished shows where the log was edited. The ledger projection compares
the two; signed checkpoints make the whole tree's history verifiable.

Writers are serialised (SQLite's write lock; PostgreSQL's table lock on the events
table, taken by the library before inserting), so the next leaf index is safe to
read inside the transaction.
"""

import hmac
import struct
from hashlib import sha256
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresFactory,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from ledger import keys
from ledger.leaf import dashed, event_leaf_hash

TABLE = "ledger_journal"
COLUMNS = "leaf_index, position, originator_id, version, leaf_hash, seal"
DDL = ("CREATE TABLE IF NOT EXISTS {table} (leaf_index BIGINT PRIMARY KEY, "
       "position BIGINT NOT NULL UNIQUE, originator_id TEXT NOT NULL, "
       "version BIGINT NOT NULL, leaf_hash TEXT NOT NULL, seal TEXT NOT NULL)")
_SEALED = struct.Struct(">QQ")


def seal(mac_key: bytes, leaf_index: int, position: int, leaf_hash_hex: str) -> str:
    """HMAC-SHA256 over leaf index, position and leaf hash: who lacks the key cannot forge it."""
    message = _SEALED.pack(leaf_index, position) + bytes.fromhex(leaf_hash_hex)
    return hmac.new(mac_key, message, sha256).hexdigest()


class Sealer:
    """``seal`` with the key's HMAC pads computed once (RFC 2104): the same seals, a
    third of the work per entry, for the journal's writers and the ledger's verifier."""

    def __init__(self, mac_key: bytes):
        self.mac_key = mac_key
        key = sha256(mac_key).digest() if len(mac_key) > _BLOCK else mac_key
        key = key.ljust(_BLOCK, b"\0")
        self._inner = sha256(bytes(b ^ 0x36 for b in key))
        self._outer = sha256(bytes(b ^ 0x5C for b in key))

    def seal(self, leaf_index: int, position: int, leaf_hash_hex: str) -> str:
        inner = self._inner.copy()
        inner.update(_SEALED.pack(leaf_index, position) + bytes.fromhex(leaf_hash_hex))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def written_with(entry: tuple, index: int, position: int, originator: bytes, version: int,
                 leaf_hash_hex: str, seal) -> bool:
    """Whether a journal entry (a row of ``COLUMNS``) is the one the registry wrote with
    an event: entry ``index`` of the journal, at the event's position, for its aggregate
    (``originator``, 16 bytes) and version, with its leaf hash and a good seal (``seal``:
    a ``Sealer``'s). The verifier's test of the usual case, wherever it runs."""
    entry_index, at, entry_originator, entry_version, entry_hash, sealed = entry
    return (entry_index == index and at == position and entry_hash == leaf_hash_hex
            and entry_version == version and entry_originator == dashed(originator)
            and seal(entry_index, at, entry_hash) == sealed)


def sealer(mac_key: bytes) -> Sealer:
    """One ``Sealer`` per key, kept."""
    found = _SEALERS.get(mac_key)
    if found is None:
        found = _SEALERS[mac_key] = Sealer(mac_key)
    return found


_BLOCK = 64  # SHA-256's block size, in bytes
_SEALERS: dict[bytes, Sealer] = {}


def entries(mac_key: bytes, first_index: int, ids, stored_events) -> list[tuple]:
    rows = []
    seal_entry = sealer(mac_key).seal
    for offset, (position, stored) in enumerate(zip(ids, stored_events, strict=True)):
        originator = stored.originator_id
        if not isinstance(originator, UUID):
            originator = UUID(str(originator))
        digest = event_leaf_hash(position, originator, stored.originator_version,
                                 stored.topic, stored.state).hex()
        index = first_index + offset
        rows.append((index, position, str(originator), stored.originator_version, digest,
                     seal_entry(index, position, digest)))
    return rows


class JournalledSQLiteRecorder(SQLiteApplicationRecorder):
    mac_key: bytes = b""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), DDL.format(table=TABLE)]

    def _insert_events(self, c, stored_events, **kwargs):
        ids = super()._insert_events(c, stored_events, **kwargs)
        if stored_events:
            c.execute(f"SELECT COALESCE(MAX(leaf_index), -1) + 1 FROM {TABLE}")
            first = c.fetchone()[0]
            c.executemany(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                          entries(self.mac_key, first, ids, stored_events))
        return ids

    def refresh_statistics(self) -> bool:
        """Nothing to do: SQLite's planner has no statistics here (the store is never
        analysed) and finds events by their indexes. See the PostgreSQL recorder."""
        return False

    def journal_size(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COUNT(*) FROM {TABLE}")
            return c.fetchone()[0]

    def existing_originators(self, ids) -> set[UUID]:
        """Which of ``ids`` have stored events: one query per 500 ids, not one each."""
        return {UUID(row[0]) for row in self._rows_of("DISTINCT originator_id", ids)}

    def versions_of(self, ids) -> dict[UUID, int]:
        """The latest stored version of each of ``ids`` that has any: one query per 500."""
        return {UUID(row[0]): row[1] for row in self._rows_of(
            "originator_id, MAX(originator_version)", ids, " GROUP BY originator_id")}

    def stored_events_of(self, ids) -> dict[UUID, list[StoredEvent]]:
        """The stored events of each of ``ids`` that has any, in version order: one query
        per 500 ids (an import checks hundreds of organisations), not one each."""
        found = {}
        for row in self._rows_of("originator_id, originator_version, topic, state", ids,
                                 " ORDER BY originator_id, originator_version"):
            originator = self.convert_originator_id(row["originator_id"])
            found.setdefault(UUID(str(originator)), []).append(StoredEvent(
                originator, row["originator_version"], row["topic"], row["state"]))
        return found

    def _rows_of(self, columns: str, ids, order: str = "") -> list:
        """The events table's ``columns`` for the events of ``ids``, 500 ids a query (SQLite
        limits the parameters of one statement)."""
        ids, rows = list(ids), []
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(ids), 500):
                chunk = [i.hex for i in ids[start:start + 500]]
                c.execute(f"SELECT {columns} FROM {self.events_table_name} WHERE originator_id "
                          f"IN ({', '.join('?' * len(chunk))}){order}", chunk)
                rows.extend(c.fetchall())
        return rows


class JournalledPostgresRecorder(PostgresApplicationRecorder):
    mac_key: bytes = b""

    def __init__(self, datastore, **kwargs):
        super().__init__(datastore, **kwargs)
        if self.datastore.enable_db_functions:
            raise ValueError("the ledger journal needs POSTGRES_ENABLE_DB_FUNCTIONS off")
        table = SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier(TABLE))
        self.sql_create_statements.append(SQL(DDL.replace("{table}", "{}")).format(table))
        self._next_index = SQL("SELECT COALESCE(MAX(leaf_index), -1) + 1 AS next FROM {}"
                               ).format(table)
        self._copy_journal = SQL(f"COPY {{}} ({COLUMNS}) FROM STDIN").format(table)
        events = SQL("{}.{}").format(Identifier(self.datastore.schema),
                                     Identifier(self.events_table_name))
        self._copy_events = SQL("COPY {} (originator_id, originator_version, topic, state) "
                                "FROM STDIN (FORMAT BINARY)").format(events)
        self._ids_after = SQL("SELECT notification_id FROM {} WHERE notification_id > %s "
                              "ORDER BY notification_id").format(events)
        self._count = SQL("SELECT COUNT(*) AS n FROM {}").format(table)
        self._existing = SQL("SELECT DISTINCT originator_id FROM {} "
                             "WHERE originator_id = ANY(%s)").format(events)
        self._versions = SQL("SELECT originator_id, MAX(originator_version) AS version "
                             "FROM {} WHERE originator_id = ANY(%s) GROUP BY originator_id"
                             ).format(events)
        self._stored_events = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} "
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
            events)
        self._analysed = SQL("SELECT c.reltuples FROM pg_class c JOIN pg_namespace n "
                             "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s")
        self._analyse = SQL("ANALYZE {}").format(events)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library
    def insert_events(self, stored_events, **kwargs):
        """The library's save, in one transaction and under the library's table lock and
        NOTIFY, with the events written by binary ``COPY`` rather than the library's
        ``INSERT … SELECT FROM unnest(<array of composites>)``. That array travels as
        text: psycopg escapes every state into it (a regular expression per event) and
        the server parses it back: two thirds of a bulk import's time in the store. COPY
        streams the same rows (no pipeline mode: a single pipelined save of ~15,000
        events or more never returned, as in psycopg issue #685) with the same
        constraints: a version already stored raises the library's ``IntegrityError``
        as before. The table lock keeps other writers out until commit, so the events'
        notification ids are the ids above the highest one before the copy, given in
        the order the rows were sent (the sequence is drawn row by row). The journal
        entries follow in the same transaction, by COPY too."""
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return ids
            self._lock_table(curs)
            self._notify_channel(curs)
            curs.execute(self.max_notification_id_statement)  # the library's own
            last = curs.fetchone()["max"] or 0
            with curs.copy(self._copy_events) as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for event in stored_events:
                    originator = event.originator_id
                    copy.write_row((originator if isinstance(originator, UUID)
                                    else UUID(str(originator)), event.originator_version,
                                    event.topic, event.state))
            curs.execute(self._ids_after, (last,))
            ids = [row["notification_id"] for row in curs.fetchall()]
            if len(ids) != len(stored_events):
                raise ProgrammingError(f"stored {len(stored_events)} events but found "
                                       f"{len(ids)} new notification ids")
            curs.execute(self._next_index)
            rows = entries(self.mac_key, curs.fetchone()["next"], ids, stored_events)
            with curs.copy(self._copy_journal) as journal:
                for row in rows:
                    journal.write_row(row)
        return ids

    # The events table is analysed again once it holds this many more rows, and this
    # fraction more, than when it was last analysed (autovacuum's default rule).
    STATISTICS_ROWS = 1000
    STATISTICS_FRACTION = 0.1

    def refresh_statistics(self) -> bool:
        """``ANALYZE`` the events table if it has grown by ``STATISTICS_ROWS`` rows and
        ``STATISTICS_FRACTION`` since it was last analysed; returns whether it did.

        The planner's choice for finding events by aggregate id (``versions_of`` and its
        neighbours, the read models' look-ups of creation events) rests on the table's
        statistics. Never analysed, it takes a thousand ids to match a large share of the
        log and scans all of it: at a million events, 30-180 ms per look-up against 3-7
        ms by the primary key. Autovacuum analyses a growing table by the same rule when
        it runs; this does not depend on it. The rows are counted by the highest
        notification id (one index look-up; ids may have gaps, a few more rows then).
        The journal is read only by its primary key: it needs none."""
        stored = self.max_notification_id() or 0
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._analysed, (self.datastore.schema, self.events_table_name))
            row = curs.fetchone()
            analysed = max(float(row["reltuples"]), 0.0) if row else 0.0
            if stored <= analysed * (1 + self.STATISTICS_FRACTION) + self.STATISTICS_ROWS:
                return False
            curs.execute(self._analyse)
            return True

    def journal_size(self) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._count)
            return curs.fetchone()["n"]

    # The look-ups by aggregate id below send their ids and read their rows in binary: a
    # text array of a thousand UUIDs costs psycopg ~1.4 ms to write, escaping each id.

    def existing_originators(self, ids) -> set[UUID]:
        """Which of ``ids`` have stored events, in one query."""
        ids = list(ids)
        if not ids:
            return set()
        with self.datastore.get_connection() as conn, conn.cursor(binary=True) as curs:
            curs.execute(self._existing, (ids,))
            return {UUID(str(row["originator_id"])) for row in curs.fetchall()}

    def versions_of(self, ids) -> dict[UUID, int]:
        """The latest stored version of each of ``ids`` that has any, in one query."""
        ids = list(ids)
        if not ids:
            return {}
        with self.datastore.get_connection() as conn, conn.cursor(binary=True) as curs:
            curs.execute(self._versions, (ids,))
            return {UUID(str(row["originator_id"])): row["version"] for row in curs.fetchall()}

    def stored_events_of(self, ids) -> dict[UUID, list[StoredEvent]]:
        """The stored events of each of ``ids`` that has any, in version order, in one query."""
        ids, found = list(ids), {}
        if not ids:
            return found
        with self.datastore.get_connection() as conn, conn.cursor(binary=True) as curs:
            curs.execute(self._stored_events, (ids,))
            for row in curs.fetchall():
                found.setdefault(UUID(str(row["originator_id"])), []).append(StoredEvent(
                    row["originator_id"], row["originator_version"], row["topic"],
                    bytes(row["state"])))
        return found


class _KeyedFactory:
    """Loads (or, on a new store, creates) the ledger key and hands its seal to the recorder."""

    LEDGER_KEY = "LEDGER_KEY"
    LEDGER_NAME = "LEDGER_NAME"
    ledger_key: keys.SigningKey

    def application_recorder(self):
        recorder = super().application_recorder()
        path = Path(self.env.get(self.LEDGER_KEY) or keys.DEFAULT_KEY_FILE)
        if not path.exists() and recorder.journal_size() > 0:
            raise keys.LedgerKeyError(
                f"the ledger key {path} is missing but the store already has a ledger "
                "journal: restore the key file from your backup (or point "
                "REGISTRY_LEDGER_KEY at it); a new key could not verify the old entries")
        self.ledger_key, _ = keys.load_or_create(
            path, self.env.get(self.LEDGER_NAME) or keys.DEFAULT_NAME)
        recorder.mac_key = self.ledger_key.mac_key
        return recorder


class SQLiteLedgerFactory(_KeyedFactory, SQLiteFactory):
    application_recorder_class = JournalledSQLiteRecorder


class PostgresLedgerFactory(_KeyedFactory, PostgresFactory):
    application_recorder_class = JournalledPostgresRecorder
