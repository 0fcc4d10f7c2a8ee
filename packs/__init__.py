"""Printable evidence packs: the FT application pack, the contract renewal pack and the
regulator's audit extract.

A pack is built in three steps (``build``): a builder gathers its figures and events as
known at one moment (``packs.ft``, ``packs.renewal``, ``packs.audit_extract``); the
document adds each event's ledger inclusion proof and the signed checkpoint
(``packs.document``); the PDF is rendered from the document alone and carries it as an
attachment (``packs.pdf``). ``packs.verify`` checks a PDF against the registry.
"""

from datetime import datetime

from packs.audit_extract import audit_contents
from packs.document import assemble, moment
from packs.ft import ft_contents
from packs.renewal import renewal_contents

BUILDERS = {
    "ft": lambda app, subject, as_of, today: ft_contents(app, subject["provider"], as_of,
                                                         today),
    "renewal": lambda app, subject, as_of, today: renewal_contents(
        app, subject["contract"], as_of, today),
    "audit": lambda app, subject, as_of, today: audit_contents(
        app, subject["organisation"], datetime.fromisoformat(subject["from"]),
        datetime.fromisoformat(subject["to"]), as_of, today),
}


def contents(app, kind: str, subject: dict, as_of: datetime):
    """The figures and events of a pack as known at ``as_of`` (a UTC datetime)."""
    as_of, today = moment(as_of)
    app.read_side.catch_up()
    return BUILDERS[kind](app, subject, as_of, today)


def build(app, kind: str, subject: dict, as_of: datetime | None, requested_by: str,
          channel: str) -> dict:
    """The pack document for ``kind`` ("ft", "renewal", "audit") and its subject."""
    as_of, _ = moment(as_of)
    return assemble(app, kind, contents(app, kind, subject, as_of), as_of, requested_by,
                    channel)


__all__ = ["BUILDERS", "build", "contents"]
