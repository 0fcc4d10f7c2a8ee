"""The projection engine: each read model follows the event log from its own position.

A page of events is applied and the projection's new position written in one
transaction, so a crash never loses or repeats an event. The position update is
guarded (``WHERE position = expected``), so two runners on one database never
apply the same page twice. An event that fails to project stops its projection
just before that event and raises ``ProjectionFailed`` naming the position.
"""

import hashlib
import json
import logging
from contextlib import contextmanager
from datetime import datetime, timezone

from projections.eventlog import (
    event_name,
    range_topics,
    read_events,
    read_range,
    topic_types,
)
from projections.settling import Settles, settle_in_parallel
from projections.store import table_ddl

log = logging.getLogger("registry.projections")

POSITIONS = """CREATE TABLE IF NOT EXISTS projection_positions (
    name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT,
    error TEXT, error_position BIGINT)"""
# Each read model's shape (a digest of its tables' and indexes' DDL) as its tables were
# created: a model whose code now describes other tables is dropped and replayed.
SHAPES = """CREATE TABLE IF NOT EXISTS projection_shapes (
    name TEXT PRIMARY KEY, shape TEXT NOT NULL)"""


class ProjectionFailed(Exception):
    def __init__(self, name: str, position: int, event: str, cause: Exception):
        self.name, self.position, self.event, self.cause = name, position, event, cause
        super().__init__(f"projection '{name}' stopped at event {position} ({event}): "
                         f"{type(cause).__name__}: {cause}")


class Projection:
    """A read model: its tables, how one event changes them, and how to digest them."""

    name: str = ""
    tables: dict[str, str] = {}
    indexes: tuple[str, ...] = ()
    # Tables of work owed (see ``settle``) or of lookups derived from the code, not the
    # events: dropped and created with the others, but not part of the read model, so
    # left out of its checksum.
    scratch: tuple[str, ...] = ()
    # Tables an earlier version of this read model had: dropped with it (a change of
    # tables drops and rebuilds it), never created.
    retired: tuple[str, ...] = ()
    # How many of the runner's pages this projection applies in one transaction: more for
    # a read model whose commits cost more than holding the events does.
    pages_of: int = 1
    # Aggregates whose events this read model files by set-based SQL over the stored rows
    # (``file_range``): the runner does not read or decode them, and ``apply`` never
    # sees them. With ``set_based`` off, every event goes through ``apply`` instead (the
    # tests compare the two).
    set_based_aggregates: tuple[str, ...] = ()
    set_based: bool = True
    # The only aggregates whose events this read model applies (every aggregate when
    # empty): the runner reads no other rows of a range. With ``set_based`` off it reads
    # them all and ``apply`` passes over the others (the tests compare the two).
    aggregates: tuple[str, ...] = ()
    # Whether a rebuild fills the tables first and creates ``indexes`` after (one sort
    # each instead of an index entry placed per row): for a read model whose own pages
    # never look anything up by those indexes.
    defer_indexes: bool = False

    @property
    def bulk_aggregates(self) -> tuple[str, ...]:
        """The aggregates whose events are left to ``file_range`` (none when
        ``set_based`` is off)."""
        return self.set_based_aggregates if self.set_based else ()

    @property
    def read_only(self) -> tuple[str, ...]:
        """The aggregates whose rows alone the runner reads (all when empty)."""
        return self.aggregates if self.set_based else ()

    @property
    def reads_ranges(self) -> bool:
        """Whether the runner reads this read model's events a range at a time by SQL,
        leaving some rows unread (``read_range``)."""
        return bool(self.bulk_aggregates or self.read_only)

    @contextmanager
    def catching_up(self, store, size: int):
        """Around one catch-up, which applies the log in ranges of ``size`` events: for a
        read model that prepares the next range while the runner files this one (the
        ledger's second process). Nothing by default."""
        yield

    @contextmanager
    def around_range(self, store, after: int, last: int):
        """Around the transaction(s) filing the range after ``after`` up to ``last``,
        outside them: for a read model that has the range read ahead (on SQLite, the
        audit's, benchmarks' and SPC's second process: the file it read the range into is
        attached; ``projections.readahead``). Nothing by default."""
        yield

    def known_range(self, after: int, size: int) -> tuple[int, int] | None:
        """(the last position, how many events) of the next ``size`` events after
        ``after``, if this read model counted them already during this catch-up and
        files every one of them by SQL (the ledger, which hands ranges to its workers
        ahead of the runner); None (the runner counts) by default."""
        return None

    def start_page(self, cursor) -> None:
        """Called before a page of events; projections reset per-page state here."""

    def read_ahead(self, cursor, events: list) -> None:
        """Called after ``start_page`` with the page's events: look up in one query what
        ``apply`` would otherwise ask the database for event by event."""

    def apply(self, cursor, logged) -> None:
        raise NotImplementedError

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        """Called after the page's events are applied, before ``finish_page``, for a read
        model with ``bulk_aggregates``: file their events at positions after ``after`` up
        to ``last`` by SQL. ``held`` is how many events of ``bulk_aggregates`` the range
        holds, when the runner counted them as it read the range (None otherwise): a
        read model whose SQL filed that many has none left for Python. A failure names
        its event by raising ``ProjectionFailed``."""

    def file_each(self, cursor, after: int, last: int, file) -> list:
        """After ``file_range``'s SQL failed on the whole range: each event of
        ``bulk_aggregates`` in it filed in turn by ``file(at)`` (``at``, its position), so
        that a failure is ``ProjectionFailed`` naming its event, as ``apply``'s would.
        What ``file`` returned for each event, in log order."""
        filed = []
        for event in range_topics(cursor, cursor.store, self.bulk_aggregates, after, last):
            at = int(event["position"])
            try:
                filed.append(file(at))
            except Exception as error:
                aggregate, name = topic_types(event["topic"])
                raise ProjectionFailed(self.name, at, f"{aggregate}.{name}", error) from error
        return filed

    def finish_page(self, cursor) -> None:
        """Called after a page, in the same transaction: set-based work goes here."""

    def owed(self, cursor) -> int:
        """How many items of work deferred by earlier pages are still owed (see
        ``settle``): cells, charts."""
        return 0

    def settle(self, cursor) -> bool:
        """Work deferred to the end of a catch-up, a part per call and per transaction.

        A projection whose pages only record what must be recomputed (in a scratch
        table, written in the page's transaction, so a crash loses nothing) does the
        recomputation here, once, when the log is caught up (and before a failure is
        reported). Returns True while more remains.
        """
        return False

    def start_rebuild(self, cursor) -> None:
        """Called when a rebuild has made the tables anew, in the same transaction: a read
        model whose settling will owe everything may record that once here instead of
        marking what each page touches."""

    def table_ddl(self, table: str, engine: str) -> str:
        """A table's ``CREATE TABLE`` as ``engine`` runs it (``store.table_ddl``)."""
        return table_ddl(self.tables[table], engine)

    def indexes_on(self, engine: str) -> tuple[str, ...]:
        """The indexes on ``engine``: ``indexes`` by default; a read model whose key is a
        table's own rowid on SQLite leaves out the index that is that key elsewhere."""
        return self.indexes

    def deferred_indexes(self, engine: str) -> tuple[str, ...]:
        """The indexes a rebuild creates once the tables are filled (``defer_indexes``):
        all of them by default; a read model may keep those its own pages use."""
        return self.indexes_on(engine) if self.defer_indexes else ()

    def create(self, cursor, indexes: bool = True) -> None:
        """The tables and indexes; with ``indexes`` False, not the deferred indexes."""
        for table in self.tables:
            cursor.execute(self.table_ddl(table, cursor.engine))
        deferred = () if indexes else self.deferred_indexes(cursor.engine)
        for ddl in self.indexes_on(cursor.engine):
            if ddl not in deferred:
                cursor.execute(ddl)

    def drop(self, cursor) -> None:
        for table in (*self.tables, *self.retired):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def shape(self, engine: str) -> str:
        """A digest of the DDL of this read model's tables and indexes on ``engine``."""
        ddl = [self.table_ddl(t, engine) for t in sorted(self.tables)] + list(
            self.indexes_on(engine))
        return hashlib.sha256("\n".join(ddl).encode()).hexdigest()

    def checksum(self, cursor) -> str:
        """A digest of every row of every table, independent of storage order."""
        digest = hashlib.sha256()
        for table in sorted(set(self.tables) - set(self.scratch)):
            rows = cursor.execute(f"SELECT * FROM {table}").fetchall()
            lines = sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)
            digest.update(f"{table}:{len(lines)}\n".encode())
            for line in lines:
                digest.update(line.encode() + b"\n")
        return digest.hexdigest()


class Runner:
    """Runs projections over the application's log: catch up, rebuild, status, checksum."""

    def __init__(self, app, store, projections, page: int = 2000):
        self.app, self.store, self.page = app, store, page
        self.projections = {p.name: p for p in projections}
        self._created = False

    def ensure_tables(self) -> None:
        if self._created:
            return
        with self.store.creating() as cursor:
            cursor.execute(POSITIONS)
            cursor.execute(SHAPES)
            shapes = {r["name"]: r["shape"] for r in
                      cursor.execute("SELECT name, shape FROM projection_shapes").fetchall()}
            known = {r["name"] for r in
                     cursor.execute("SELECT name FROM projection_positions").fetchall()}
            for projection in self.projections.values():
                shape = projection.shape(cursor.engine)
                if projection.name in known and shapes.get(projection.name) != shape:
                    # Made by a version of the registry whose tables differ (or which did
                    # not record them): the rows cannot be trusted to fit; replay them.
                    log.warning("read model '%s' was made with other tables: dropped, to be "
                                "rebuilt from the events", projection.name)
                    projection.drop(cursor)
                    cursor.execute("UPDATE projection_positions SET position = 0, error = NULL, "
                                   "error_position = NULL WHERE name = ?", (projection.name,))
                projection.create(cursor)
                cursor.execute("INSERT INTO projection_positions (name, position) "
                               "SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM "
                               "projection_positions WHERE name = ?)",
                               (projection.name, projection.name))
                if shapes.get(projection.name) != shape:
                    cursor.execute("INSERT INTO projection_shapes (name, shape) VALUES (?, ?) "
                                   "ON CONFLICT (name) DO UPDATE SET shape = excluded.shape",
                                   (projection.name, shape))
        self._created = True

    def selected(self, name: str | None = None) -> list[Projection]:
        if name is None:
            return list(self.projections.values())
        if name not in self.projections:
            raise KeyError(f"no projection named '{name}' (one of "
                           f"{', '.join(self.projections)})")
        return [self.projections[name]]

    def position(self, name: str) -> int:
        rows = self.store.query("SELECT position FROM projection_positions WHERE name = ?",
                                (name,))
        return int(rows[0]["position"]) if rows else 0

    def catch_up(self, name: str | None = None, progress=None) -> dict[str, int]:
        """Apply every event not yet projected; returns how many each projection took."""
        self.ensure_tables()
        return {p.name: self._catch_up(p, progress) for p in self.selected(name)}

    def _catch_up(self, projection: Projection, progress=None, settle: bool = True) -> int:
        """Apply the events after the projection's position, then (with ``settle``, and
        before a failure is raised) settle the work its pages deferred."""
        total = self.store.events_after(self.position(projection.name)) if progress else 0
        size = self.page * projection.pages_of
        with projection.catching_up(self.store, size):
            return self._catch_up_ranges(projection, size, total, progress, settle)

    def _catch_up_ranges(self, projection: Projection, size: int, total: int, progress,
                         settle: bool) -> int:
        done = 0
        while True:
            position = self.position(projection.name)
            known = projection.known_range(position, size)
            if known is not None:
                (last, count), page = known, []
            elif projection.reads_ranges:
                last, count, page = read_range(self.app, self.store, position, size,
                                               projection.bulk_aggregates,
                                               only=projection.read_only)
            else:
                page = list(read_events(self.app, after=position, page=size, limit=size))
                last, count = (page[-1].position if page else position), len(page)
            if not count:
                if settle:
                    self._settle(projection, progress)
                return done
            # The range's other events were all read (in the snapshot that counted it):
            # the rest are the read model's own, left to its SQL.
            held = (count - len(page) if projection.reads_ranges and not projection.read_only
                    else None)
            try:
                with projection.around_range(self.store, position, last):
                    self._apply_page(projection, position, page, last, held)
            except ConcurrentRunner:
                continue
            except ProjectionFailed:
                if settle:
                    self._settle(projection, progress)
                raise
            done += count
            if progress:
                progress(projection.name, done, max(total, done))

    def _apply_page(self, projection: Projection, position: int, page: list,
                    last: int, held: int | None = None) -> None:
        """The events after ``position`` up to ``last`` (``page``: those the runner read;
        ``held``: how many others the range holds, if counted), in one transaction; if
        one fails, those before it in another."""
        try:
            self._commit(projection, position, page, last, held)
        except ProjectionFailed as failure:
            applied = [e for e in page if e.position < failure.position]
            if projection.reads_ranges:
                before = failure.position - 1
            else:
                before = applied[-1].position if applied else position
            if before > position:
                self._commit(projection, position, applied, before)
            self._record_failure(projection.name, failure)
            raise

    def _commit(self, projection: Projection, position: int, events: list,
                last: int | None = None, held: int | None = None) -> None:
        """Apply ``events`` (and, for a read model with ``bulk_aggregates``, file theirs
        after ``position`` up to ``last``: by default the last event's position; ``held``
        of them, if counted) and move the read model's position to ``last``, in one
        transaction."""
        last = events[-1].position if last is None else last
        with self.store.applying() as cursor:
            lock = " FOR UPDATE" if cursor.engine == "postgres" else ""
            current = cursor.execute("SELECT position FROM projection_positions WHERE name = ?"
                                     + lock, (projection.name,)).fetchone()
            if int(current["position"]) != position:
                raise ConcurrentRunner(projection.name, position)
            projection.start_page(cursor)
            projection.read_ahead(cursor, events)
            for logged in events:
                try:
                    projection.apply(cursor, logged)
                except Exception as error:
                    raise ProjectionFailed(projection.name, logged.position,
                                           event_name(logged.topic),
                                           error) from error
            if projection.bulk_aggregates:
                projection.file_range(cursor, position, last, held)
            projection.finish_page(cursor)
            moved = cursor.execute(
                "UPDATE projection_positions SET position = ?, updated_at = ?, error = NULL, "
                "error_position = NULL WHERE name = ? AND position = ?",
                (last, _now(), projection.name, position)).rowcount
            if moved != 1:
                raise ConcurrentRunner(projection.name, position)

    def _settle(self, projection: Projection, progress=None) -> None:
        """The work the projection deferred, a transaction per part; on PostgreSQL the
        projection's position row is locked first, so settling waits for a page being
        applied elsewhere and two runners never settle the same part at once. A long
        settling has worker processes compute the parts (``settling.settle_in_parallel``);
        what they leave is settled here. Progress is reported as "<name> figures": items
        settled of those owed at the start."""
        if type(projection).settle is Projection.settle:
            return
        with self.store.reading() as cursor:
            total = projection.owed(cursor)
        finished = total > 0 and isinstance(projection, Settles) and settle_in_parallel(
            self.store, projection, lambda: self._settling(projection), progress, total)
        more = total > 0 and not finished  # what another process marks meanwhile, it
        # settles itself, at the end of its own catch-up
        while more:
            with self._settling(projection) as cursor:
                left = projection.owed(cursor) if projection.settle(cursor) else 0
                more = left > 0
            if progress:
                progress(f"{projection.name} figures", max(0, total - left), total)

    @contextmanager
    def _settling(self, projection: Projection):
        """A transaction settling a part of the projection's owed work; on PostgreSQL its
        position row locked first."""
        with self.store.applying() as cursor:
            if cursor.engine == "postgres":
                cursor.execute("SELECT position FROM projection_positions WHERE name = ? "
                               "FOR UPDATE", (projection.name,))
            yield cursor

    def _record_failure(self, name: str, failure: ProjectionFailed) -> None:
        log.error("%s", failure)
        with self.store.transaction() as cursor:
            cursor.execute("UPDATE projection_positions SET error = ?, error_position = ? "
                           "WHERE name = ?", (str(failure), failure.position, name))

    def rebuild(self, name: str | None = None, progress=None,
                settle: bool = True) -> dict[str, int]:
        """Drop the read models and replay the whole log into them. The indexes of those
        that defer them are created once their tables are filled, even if replaying
        fails (if the process is stopped first, the next ``ensure_tables`` creates
        them), and before the work the pages deferred is settled. With ``settle`` False
        that work is left owed, for the next catch-up (the read model answers without
        it: see ``Projection.settle``)."""
        self.ensure_tables()
        selected = self.selected(name)
        for projection in selected:
            with self.store.creating() as cursor:
                projection.drop(cursor)
                projection.create(cursor, indexes=False)
                projection.start_rebuild(cursor)
                cursor.execute("UPDATE projection_positions SET position = 0, error = NULL, "
                               "error_position = NULL WHERE name = ?", (projection.name,))
        counts = {}
        for projection in selected:
            if self.store.engine == "postgres":
                self.store.renew()  # a backend of its own (see ``ReadStore.renew``)
            try:
                counts[projection.name] = self._catch_up(projection, progress, settle=False)
            except Exception as error:
                self._create_deferred_indexes(projection, progress)
                if settle and isinstance(error, ProjectionFailed):
                    self._settle(projection, progress)
                raise
            self._create_deferred_indexes(projection, progress)
            if settle:
                self._settle(projection, progress)
        return counts

    def settle(self, name: str | None = None, progress=None) -> None:
        """Settle the work the read models' pages deferred (see ``Projection.settle``)."""
        self.ensure_tables()
        for projection in self.selected(name):
            self._settle(projection, progress)

    def _create_deferred_indexes(self, projection: Projection, progress=None) -> None:
        deferred = projection.deferred_indexes(self.store.engine)
        for done, ddl in enumerate(deferred, start=1):
            with self.store.indexing() as cursor:
                cursor.execute(ddl)
            if progress:
                progress(f"{projection.name} indexes", done, len(deferred))

    def status(self) -> list[dict]:
        self.ensure_tables()
        rows = self.store.query("SELECT * FROM projection_positions ORDER BY name")
        for row in rows:
            row["lag"] = self.store.events_after(int(row["position"]))
        return [r for r in rows if r["name"] in self.projections]

    def checksums(self, name: str | None = None) -> dict[str, str]:
        self.ensure_tables()
        with self.store.reading() as cursor:
            return {p.name: p.checksum(cursor) for p in self.selected(name)}


class ConcurrentRunner(Exception):
    """Another runner moved the projection first; this page was rolled back."""

    def __init__(self, name: str, position: int):
        super().__init__(f"projection '{name}' moved past {position} in another process")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
