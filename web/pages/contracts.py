"""The contracts register and each contract's record, as known at any time; the forms a
commissioner uses to award a contract and to review and decide its renewal.

The forms follow ``web.pages.forms``: the service checks the input and the role (a
commissioner manages only the contracts it lets), and every change carries the
signed-in user and the reason given.
"""

from flask import g, render_template, request, url_for

from projections.contracts import contract_row, contracts_register
from projections.notices import open_notices
from registry.errors import InvalidInput
from registry.vocabulary import PROCUREMENT_ROUTES, RENEWAL_DECISIONS, SERVICE_LINES
from web.context import as_of_day, not_found, registry, store
from web.downloads import csv_response, wants_csv
from web.pages import bp
from web.pages.forms import attributed, may, picked, post_redirect_get, posted

WINDOWS = (("", "all contracts"), ("90", "ending within 3 months"),
           ("180", "ending within 6 months"), ("365", "ending within 12 months"))
AWARD_FIELDS = ("reference", "commissioner", "provider", "service_lines", "annual_value",
                "total_value", "start", "end", "route")
RENEWAL_ACTIONS = {"review", "decide"}


@bp.get("/contracts")
def contracts():
    rows = _register()
    if wants_csv(request):
        return csv_response(rows, "contracts-register")
    return _render_register(rows)


@bp.post("/contracts")
def award_contract():
    _, form = posted({"award"})
    form["service_lines"] = request.form.getlist("service_lines")

    def award() -> str:
        registry().award_contract(picked(form, AWARD_FIELDS),
                                  attributed(form, "award a contract"))
        return f"Contract {form['reference']} awarded to {form['provider'].strip().upper()}."
    return post_redirect_get(
        award, lambda errors: _render_register(_register(), errors, form),
        lambda: url_for("pages.contract", reference=form["reference"]))


@bp.get("/contracts/<path:reference>")
def contract(reference):
    return _render_contract(reference)


@bp.post("/contracts/<path:reference>")
def change_contract(reference):
    action, form = posted(RENEWAL_ACTIONS)
    _row(reference)
    return post_redirect_get(
        lambda: _renewal(action, reference, form),
        lambda errors: _render_contract(reference, errors, form, action))


def _renewal(action: str, reference: str, form: dict) -> str:
    if action == "review":
        registry().open_renewal_review({**picked(form, ("due_by",)), "reference": reference},
                                       attributed(form, "open a renewal review"))
        return "Renewal review opened."
    registry().decide_renewal({**picked(form, ("decision",)), "reference": reference},
                              attributed(form, "decide a renewal"))
    return "Renewal decision recorded; the review is closed."


def _register() -> list[dict]:
    window = request.args.get("expiring", "")
    if window not in dict(WINDOWS):
        raise InvalidInput({"expiring": ["must be 90, 180 or 365 days, or blank"]})
    return contracts_register(
        store(), g.as_of, commissioner=request.args.get("commissioner") or None,
        provider=request.args.get("provider") or None,
        expiring_within_days=int(window) if window else None, today=as_of_day())


def _expiry_notices() -> dict[str, list[dict]]:
    """The scheduler's open contract-expiry notices by contract, longest lead time first."""
    by_contract: dict[str, list[dict]] = {}
    for notice in open_notices(store(), kind="contract_expiry", as_of=g.as_of):
        by_contract.setdefault(notice["contract"], []).append(notice)
    for notices in by_contract.values():
        notices.sort(key=lambda n: -int(n["months_before"]))
    return by_contract


def _render_register(rows: list[dict], errors=None, form=None):
    return render_template(
        "contracts.html", contracts=rows, notices=_expiry_notices(),
        window=request.args.get("expiring", ""),
        windows=WINDOWS, total=sum(float(r["annual_value"] or 0) for r in rows
                                   if r["status"] == "live"),
        can_award=may("manage_contracts"), errors=errors or {}, form=form or {},
        action="award" if form else None,
        service_lines=SERVICE_LINES, routes=PROCUREMENT_ROUTES)


def _row(reference: str) -> dict:
    row = contract_row(store(), reference, g.as_of, today=as_of_day())
    if row is None:
        raise not_found(f"no contract {reference} is on the register", "reference")
    return row


def _render_contract(reference: str, errors=None, form=None, action=None):
    row = _row(reference)
    return render_template(
        "contract.html", contract=row, state=registry().get_contract(reference, g.as_of),
        can_manage=may("manage_contracts", row["commissioner"]), decisions=RENEWAL_DECISIONS,
        errors=errors or {}, form=form or {}, action=action)
