"""The regulator's audit extract: every event concerning an organisation (and its
predecessors) recorded in a time range, with its provenance and ledger leaf.

Figures: the organisation, the range, and counts of the events by type and by channel
(recomputed on verification, so an event dropped from the attachment is noticed).
"""

from collections import Counter
from datetime import datetime

from packs.document import Contents
from projections.eventlog import plain
from projections.histories import history
from registry.errors import InvalidInput, NotFound


def audit_contents(app, code: str, recorded_from: datetime, recorded_to: datetime,
                   as_of, today) -> Contents:
    code = code.upper()
    if recorded_to <= recorded_from:
        raise InvalidInput({"to": ["must be after --from"]})
    organisation = app.get_organisation(code, as_of)
    if organisation is None:
        raise NotFound(f"no organisation with code {code} was registered by then",
                       "organisation")
    known_at = min(as_of, recorded_to)
    events = [e for e in history(app.read_side.store, code, known_at)
              if datetime.fromisoformat(e["recorded_at"]) >= recorded_from
              and datetime.fromisoformat(e["recorded_at"]) < recorded_to]
    figures = {
        "organisation": plain(organisation),
        "recorded_from": recorded_from.isoformat(), "recorded_to": recorded_to.isoformat(),
        "events": len(events),
        "by_type": dict(sorted(Counter(f"{e['aggregate']}.{e['event']}"
                                       for e in events).items())),
        "by_channel": dict(sorted(Counter(e["provenance"].get("channel") or "unknown"
                                          for e in events).items())),
        "today": today.isoformat(),
    }
    return Contents(title=f"Audit extract: {organisation['name']} ({code})",
                    subject={"organisation": code, "from": recorded_from.isoformat(),
                             "to": recorded_to.isoformat()},
                    figures=figures, events=events)
