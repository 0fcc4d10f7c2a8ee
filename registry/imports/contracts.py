"""contracts: reference,commissioner,provider,service_lines,annual_value,total_value,start,
end,route. Re-importing with --restate records variations and extensions."""

from datetime import datetime, timezone

from registry.commands import load
from registry.commands.contracts import AwardContract
from registry.errors import RuleViolation
from registry.identity import contract_id
from registry.imports.differences import differences, refuse_unless_restating
from registry.services.permissions import authorise

COLUMNS = ("reference", "commissioner", "provider", "service_lines", "annual_value",
           "total_value", "start", "end", "route")
_FIXED = ("commissioner", "provider", "start", "route")


def apply(app, changes, record: dict, provenance, options) -> str:
    data = load(AwardContract, record)
    contract = changes.get(contract_id(data["reference"]))
    if contract is None:
        app._award_contract(changes, data, provenance)
        return "awarded"
    changed = differences(contract, data, ("service_lines", "annual_value", "total_value",
                                           "end") + _FIXED)
    for name in _FIXED:
        if name in changed:
            raise RuleViolation(
                f"the {name} of contract {contract.reference} cannot change "
                f"({getattr(contract, name)} -> {changed[name]}); novate it or award a new one",
                name)
    refuse_unless_restating(options, changed, contract, "contract")
    if not changed:
        return "unchanged"
    authorise(provenance, "manage_contracts", contract.commissioner)
    p = provenance.as_dict()
    new_end = changed.pop("end", None)
    if new_end is not None:
        contract.extend(new_end, 0, p)
    if changed:
        today = datetime.now(timezone.utc).date()
        contract.vary(changed, min(max(today, contract.start), contract.end), p)
    return "varied"
