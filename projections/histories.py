"""Histories: every event that concerns an organisation, following merger lineage.

The projection files each event under every organisation it concerns (see
``CREATION_PARTIES``) and records lineage (predecessor -> successor). A
history is read as known at any recorded time: events and lineage recorded
after it are left out.
"""

import json
from datetime import datetime

from projections.engine import Projection
from projections.timestamps import stamp


class Histories(Projection):
    name = "histories"
    tables = {
        "history_subjects": "CREATE TABLE IF NOT EXISTS history_subjects ("
                            "aggregate_id TEXT PRIMARY KEY, codes TEXT NOT NULL)",
        "history_events": "CREATE TABLE IF NOT EXISTS history_events ("
                          "organisation TEXT NOT NULL, position BIGINT NOT NULL, "
                          "recorded_at TEXT NOT NULL, record TEXT NOT NULL, "
                          "PRIMARY KEY (organisation, position))",
        "history_lineage": "CREATE TABLE IF NOT EXISTS history_lineage ("
                           "predecessor TEXT NOT NULL, successor TEXT NOT NULL, "
                           "effective TEXT, recorded_at TEXT NOT NULL, position BIGINT, "
                           "PRIMARY KEY (predecessor, successor))",
    }
    indexes = ("CREATE INDEX IF NOT EXISTS history_lineage_successor "
               "ON history_lineage (successor)",)

    def apply(self, cursor, logged) -> None:
        codes = concerned(cursor, logged, "history_subjects")
        if not codes:
            return
        record = logged.as_dict()
        record["organisations"] = codes
        text = json.dumps(record, sort_keys=True)
        recorded = stamp(logged.recorded_at)
        cursor.executemany(
            "INSERT INTO history_events (organisation, position, recorded_at, record) "
            "VALUES (?, ?, ?, ?)", [(code, logged.position, recorded, text) for code in codes])
        if (logged.aggregate_type, logged.event_type) == ("Organisation", "Merged"):
            cursor.execute(
                "INSERT INTO history_lineage VALUES (?, ?, ?, ?, ?)",
                (codes[0], logged.data["successor"], str(logged.data["effective"]), recorded,
                 logged.position))


CREATION_PARTIES = {
    ("Organisation", "Registered"): ("code",),
    ("Submission", "Submitted"): ("provider",),
    ("Contract", "Awarded"): ("commissioner", "provider"),
    ("FTApplication", "Started"): ("provider",),
    ("Notice", "Raised"): ("organisation", "provider"),
}
OTHER_PARTIES = {
    ("Organisation", "Merged"): "successor",
    ("Organisation", "ServicesTransferred"): "recipient",
    ("Contract", "Novated"): "new_provider",
}


def concerned(cursor, logged, subjects: str) -> list[str]:
    """The organisations an event concerns; creation events name them, others inherit.

    ``subjects`` is the calling projection's own table (aggregate_id, codes), so each
    read model that files events by organisation stays rebuildable on its own.
    """
    key = str(logged.aggregate_id)
    data = logged.data
    parties = CREATION_PARTIES.get((logged.aggregate_type, logged.event_type))
    if parties:
        codes = list(dict.fromkeys(data[f] for f in parties))
        cursor.execute(f"INSERT INTO {subjects} VALUES (?, ?)", (key, json.dumps(codes)))
        return codes
    row = cursor.execute(f"SELECT codes FROM {subjects} WHERE aggregate_id = ?",
                         (key,)).fetchone()
    codes = json.loads(row["codes"]) if row else []
    other = data.get(OTHER_PARTIES.get((logged.aggregate_type, logged.event_type), ""))
    if other and other not in codes:
        codes.append(other)
        if logged.aggregate_type == "Contract":
            cursor.execute(f"UPDATE {subjects} SET codes = ? WHERE aggregate_id = ?",
                           (json.dumps(codes), key))
    return codes


def lineage(store, code: str, as_of: datetime | None = None) -> list[str]:
    """The organisation and all its predecessors (recursively), as known at ``as_of``."""
    known_at = stamp(as_of) if as_of else "9999"
    found, frontier = [code], [code]
    with store.reading() as cursor:
        while frontier:
            marks = ",".join("?" * len(frontier))
            rows = cursor.execute(
                f"SELECT predecessor FROM history_lineage WHERE successor IN ({marks}) "
                "AND recorded_at <= ? ORDER BY predecessor", (*frontier, known_at)).fetchall()
            frontier = [r["predecessor"] for r in rows if r["predecessor"] not in found]
            found += frontier
    return found


def history(store, code: str, as_of: datetime | None = None) -> list[dict]:
    """Every event concerning ``code`` or its predecessors, in recorded order."""
    codes = lineage(store, code.upper(), as_of)
    marks = ",".join("?" * len(codes))
    known_at = stamp(as_of) if as_of else "9999"
    rows = store.query(
        f"SELECT DISTINCT position, record FROM history_events WHERE organisation IN ({marks}) "
        "AND recorded_at <= ? ORDER BY position", (*codes, known_at))
    return [json.loads(row["record"]) for row in rows]
