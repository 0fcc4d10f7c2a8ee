"""The contracts register and each contract's record, as known at any time."""

from flask import g, render_template, request

from projections.contracts import contract_row, contracts_register
from registry.errors import InvalidInput
from web.context import as_of_day, not_found, registry, store
from web.downloads import csv_response, wants_csv
from web.pages import bp

WINDOWS = (("", "all contracts"), ("90", "ending within 3 months"),
           ("180", "ending within 6 months"), ("365", "ending within 12 months"))


@bp.get("/contracts")
def contracts():
    window = request.args.get("expiring", "")
    if window not in dict(WINDOWS):
        raise InvalidInput({"expiring": ["must be 90, 180 or 365 days, or blank"]})
    rows = contracts_register(
        store(), g.as_of, commissioner=request.args.get("commissioner") or None,
        provider=request.args.get("provider") or None,
        expiring_within_days=int(window) if window else None, today=as_of_day())
    if wants_csv(request):
        return csv_response(rows, "contracts-register")
    return render_template("contracts.html", contracts=rows, window=window, windows=WINDOWS,
                           total=sum(float(r["annual_value"] or 0) for r in rows
                                     if r["status"] == "live"))


@bp.get("/contracts/<path:reference>")
def contract(reference):
    row = contract_row(store(), reference, g.as_of, today=as_of_day())
    if row is None:
        raise not_found(f"no contract {reference} is on the register", "reference")
    state = registry().get_contract(reference, g.as_of)
    return render_template("contract.html", contract=row, state=state)

