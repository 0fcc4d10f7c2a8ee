"""organisations: code,name,kind,region,opened,closed — or the ODS 'etr' extract (no header)."""

import re
from datetime import date

from registry.commands import load
from registry.commands.organisations import RegisterOrganisation
from registry.identity import organisation_id
from registry.imports.differences import differences, refuse_unless_restating
from registry.services.permissions import authorise

COLUMNS = ("code", "name", "kind", "region", "opened", "closed")

# ODS etr columns: code, name, national grouping, high-level health geography,
# address 1-5, postcode, open date, close date, ... (yyyymmdd dates)
_ETR_MIN_WIDTH = 12
_YYYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMMUNITY_TRUSTS = {  # whose main business is community services but whose name says not
    "R1A", "R1C", "R1E", "R1G", "R1J", "RY3",
}
_MENTAL_HEALTH_TRUSTS = {  # mental-health trusts whose names do not say so
    "RAT", "RDY", "RGD", "RHA", "RLY", "RMY", "RNU", "RP1", "RPG", "RRE", "RT1", "RT2",
    "RTQ", "RV3", "RV5", "RV9", "RW1", "RW4", "RW5", "RWK", "RWX", "RX3", "RX4", "RXE",
    "RXM", "RXV",
}
_MENTAL_HEALTH_WORDS = ("MENTAL HEALTH", "PARTNERSHIP", "TAVISTOCK", "CALDERSTONES")
_SMALL_WORDS = {"AND", "OF", "THE", "FOR", "ON", "UPON", "IN", "AT"}
_KEEP_UPPER = {"NHS", "UK", "CIC", "ICB"}


def is_headerless(rows) -> bool:
    """An ODS etr extract: no header row, a code first and at least 12 cells."""
    first = rows[0][1]
    return len(first) >= _ETR_MIN_WIDTH and first[0].lower() != "code"


def from_headerless(cells: list[str]) -> list[str]:
    code, name = cells[0], cells[1]
    return [code, ods_name(name), etr_kind(code, name), cells[2],
            _etr_date(cells[10]), _etr_date(cells[11])]


def etr_kind(code: str, name: str) -> str:
    """Provider kind from an ODS trust name: community trusts by name or by list."""
    upper = name.upper()
    if "COMMUNITY" in upper or code in _COMMUNITY_TRUSTS:
        return "foundation_trust" if "FOUNDATION TRUST" in upper else "nhs_trust"
    if code in _MENTAL_HEALTH_TRUSTS or any(word in upper for word in _MENTAL_HEALTH_WORDS):
        return "mental_health_trust"
    return "acute_trust"


def ods_name(name: str) -> str:
    """'LEEDS COMMUNITY HEALTHCARE NHS TRUST' -> 'Leeds Community Healthcare NHS Trust'."""
    words = []
    for index, word in enumerate(name.split()):
        if word in _KEEP_UPPER:
            words.append(word)
        elif word in _SMALL_WORDS and index > 0:
            words.append(word.lower())
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words).replace("'S ", "'s ")


def _etr_date(text: str) -> str:
    match = _YYYYMMDD.match(text or "")
    return f"{match[1]}-{match[2]}-{match[3]}" if match else text


def apply(app, changes, record: dict, provenance, options) -> str:
    data = load(RegisterOrganisation, record)
    org = changes.get(organisation_id(data["code"]))
    if org is None:
        app._register_organisation(changes, data, provenance)
        return "registered"
    changed = differences(org, data, ("name", "kind", "region", "opened", "closed"))
    refuse_unless_restating(options, changed, org, "organisation")
    if changed:
        authorise(provenance, "manage_organisations")
    closed: date | None = changed.pop("closed", None)
    if changed:
        org.correct(changed, provenance.as_dict())
    if closed is not None:
        org.close(closed, provenance.as_dict())
    return "corrected" if changed or closed else "unchanged"
