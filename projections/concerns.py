"""Which organisations an event concerns: the basis of histories and the audit index.

Only creation events name their organisations, so a ``Subjects`` map follows the
log and remembers, per aggregate, the organisations it concerns; later events of
that aggregate inherit them, and lineage events add the other party.
"""

from uuid import UUID

_CREATION_PARTIES = {
    ("Organisation", "Registered"): ("code",),
    ("Submission", "Submitted"): ("provider",),
    ("Contract", "Awarded"): ("commissioner", "provider"),
    ("FTApplication", "Started"): ("provider",),
}
_OTHER_PARTIES = {
    ("Organisation", "Merged"): "successor",
    ("Organisation", "ServicesTransferred"): "recipient",
    ("Contract", "Novated"): "new_provider",
}


class Subjects:
    def __init__(self, known: dict[UUID, list[str]] | None = None):
        self.known: dict[UUID, list[str]] = known if known is not None else {}

    def concerned(self, logged) -> list[str]:
        """The organisation codes ``logged`` concerns, learning from it as it goes."""
        key = (logged.aggregate_type, logged.event_type)
        data = logged.data
        if key in _CREATION_PARTIES:
            self.known[logged.aggregate_id] = [data[f] for f in _CREATION_PARTIES[key]]
        codes = list(self.known.get(logged.aggregate_id, []))
        other = data.get(_OTHER_PARTIES.get(key, ""), None)
        if other and other not in codes:
            codes.append(other)
            if logged.aggregate_type == "Contract":
                self.known[logged.aggregate_id] = codes
        return codes
