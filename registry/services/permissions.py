"""Which roles may carry out which commands, and on whose behalf.

Providers act for their own organisation only; commissioners manage the contracts
they let; regulators decide on FT applications and raise data queries. Checked
in the application so every channel (CLI, API, web, import, scheduler) obeys it.
"""

from registry.errors import PermissionDenied
from registry.provenance import Provenance

ALLOWED = {
    "manage_organisations": {"admin", "system"},
    "manage_users": {"admin", "system"},
    "manage_indicators": {"admin", "system"},
    "submit": {"provider", "admin", "system"},
    "query": {"regulator", "admin", "system"},
    "answer_query": {"provider", "admin", "system"},
    "manage_contracts": {"commissioner", "admin", "system"},
    "manage_milestones": {"provider", "regulator", "admin", "system"},
    "decide_application": {"regulator", "admin", "system"},
    "checkpoint_ledger": {"regulator", "admin", "system"},
    "record_notices": {"admin", "system"},
}
OWN_ORGANISATION_ONLY = {"provider", "commissioner"}


def authorise(provenance: Provenance, action: str, organisation: str | None = None) -> None:
    role = provenance.actor.role
    if role not in ALLOWED[action]:
        raise PermissionDenied(f"the {role} role may not {action.replace('_', ' ')}")
    if role in OWN_ORGANISATION_ONLY and organisation is not None \
            and organisation != provenance.actor.organisation:
        raise PermissionDenied(
            f"a {role} may act only for its own organisation "
            f"({provenance.actor.organisation}), not {organisation}")
