"""Contracts: the register, one contract, and the commissioner's changes to it.

A contract is never edited in place: each variation, extension, novation,
termination and renewal step is an event, so the register can be read as it
stood at any recorded time and a renewal can weigh every variation. Changes
return the contract's new state; the changes that alter what was agreed need a
reason.
"""

from flask import g, request, url_for

from projections.contracts import contracts_register
from registry.commands import contracts as cmd
from web.api import api, dump, query
from web.api import inputs as i
from web.api import schemas as s
from web.api.spec import operation
from web.context import as_of_day, not_found, provenance, registry, store
from web.downloads import csv_response, wants_csv

ONE = "/contracts/<path:reference>"
CHANGED = {"tag": "contracts", "path": i.ReferencePath, "response": s.Contract,
           "errors": (403, 404)}


@api.get("/contracts")
@operation("The contracts register", tag="contracts", query=i.ContractsQuery,
           response=s.ContractRow, many=True, csv=True)
def register():
    """Every contract as it stands after its changes (or as known at ``as_of``), by end
    date; status (live, expired, terminated) is judged on the as-of day or today."""
    args = query(i.ContractsQuery)
    rows = contracts_register(store(), g.as_of, args.get("commissioner"), args.get("provider"),
                              args.get("expiring_within_days"),
                              today=as_of_day())
    if wants_csv(request):
        return csv_response([{**r, "service_lines": ";".join(r["service_lines"])}
                             for r in rows], "contracts")
    return dump(s.ContractRow, rows, many=True)


@api.get(ONE)
@operation("One contract", tag="contracts", path=i.ReferencePath, query=s.AsOf,
           response=s.Contract, errors=(404,))
def contract(**raw):
    """A contract's current terms, or its terms as known at ``as_of``."""
    query(s.AsOf)
    reference = i.path(i.ReferencePath, **raw)["reference"]
    found = registry().get_contract(reference, g.as_of)
    if found is None:
        raise not_found(f"no contract with reference {reference}", "reference")
    return dump(s.Contract, found)


@api.post("/contracts")
@operation("Award a contract", tag="contracts", body=cmd.AwardContract, response=s.Contract,
           status=201, errors=(403, 404, 409))
def award():
    """A commissioner lets community services to an open provider."""
    data, _ = i.command(cmd.AwardContract)
    registry().award_contract(data, provenance())
    found = registry().get_contract(data["reference"])
    response, status = dump(s.Contract, found, 201)
    response.headers["Location"] = url_for("api.contract", reference=found["reference"])
    return response, status


@api.post(ONE + "/variations")
@operation("Vary a contract", body=i.VaryBody, **CHANGED)
def vary(**raw):
    """New service lines or values from an effective date within the term."""
    return _changed("vary_contract", i.VaryBody, raw)


@api.post(ONE + "/extensions")
@operation("Extend a contract", body=i.ExtendBody, **CHANGED)
def extend(**raw):
    """A later end date, adding its value to the contract's total."""
    return _changed("extend_contract", i.ExtendBody, raw)


@api.post(ONE + "/novation")
@operation("Novate a contract to another provider", body=i.NovateBody, **CHANGED)
def novate(**raw):
    """Another open provider takes over the contract from the effective date."""
    return _changed("novate_contract", i.NovateBody, raw)


@api.post(ONE + "/termination")
@operation("Terminate a contract", body=i.TerminateBody, **CHANGED)
def terminate(**raw):
    """The contract ends early, on an effective date within its term."""
    return _changed("terminate_contract", i.TerminateBody, raw)


@api.post(ONE + "/renewal-review")
@operation("Open a renewal review", body=i.RenewalReviewBody, **CHANGED)
def open_renewal_review(**raw):
    """Starts the review that must precede a renewal decision."""
    return _changed("open_renewal_review", i.RenewalReviewBody, raw)


@api.post(ONE + "/renewal-decision")
@operation("Decide a renewal", body=i.RenewalDecisionBody, **CHANGED)
def decide_renewal(**raw):
    """Renew, re-tender or decommission, closing the open review."""
    return _changed("decide_renewal", i.RenewalDecisionBody, raw)


def _changed(command: str, schema, raw: dict):
    """Every change has the same shape: the reference from the path, the terms and the
    reason from the body, one service command, the contract's new state back."""
    reference = i.path(i.ReferencePath, **raw)["reference"]
    data, reason = i.command(schema)
    getattr(registry(), command)({**data, "reference": reference}, provenance(reason))
    return dump(s.Contract, registry().get_contract(reference))
