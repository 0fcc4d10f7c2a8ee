"""One submitted figure: its values, and the forms to restate, withdraw, query or answer.

Forms post back here; the service validates and attributes the change to the
signed-in user. Refused input re-renders the page with each field's message
(status 422) and stores nothing; success redirects (post/redirect/get).
"""

from flask import flash, g, redirect, render_template, request

from registry.errors import InvalidInput, RegistryError
from registry.measures import ALLOWED
from web.context import not_found, provenance, registry
from web.errors import field_errors, status_of
from web.pages import bp

CELL = "/submissions/<provider>/<indicator>/<service_line>/<period>"
ACTIONS = {"restate", "withdraw", "query", "answer"}


@bp.get(CELL)
def submission(provider, indicator, service_line, period):
    return _render(_cell(provider, indicator, service_line, period))


@bp.post(CELL)
def change_submission(provider, indicator, service_line, period):
    cell = _cell(provider, indicator, service_line, period)
    action = request.form.get("action")
    if action not in ACTIONS:
        raise InvalidInput({"action": [f"must be one of {', '.join(sorted(ACTIONS))}"]})
    form = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}
    try:
        message = _apply(action, cell, form)
    except RegistryError as error:
        errors = field_errors(error) or {"_": [error.message]}
        return _render(cell, errors=errors, form=form, action=action), status_of(error)
    flash(message, "success")
    return redirect(request.path)


def _apply(action: str, cell: dict, form: dict) -> str:
    reason = form.pop("reason", None)
    app = registry()
    if action == "restate":
        app.restate({**cell, **form}, provenance(reason))
        return "Restated. The previous values stay on the record in the audit trail."
    if action == "withdraw":
        app.withdraw(cell, provenance(reason))
        return "Withdrawn. It no longer counts in benchmarks; the record keeps it."
    if action == "query":
        query_id = app.raise_query({**cell, "question": form.get("question")}, provenance())
        return f"Data query {query_id} raised with the provider."
    app.answer_query({**cell, "query_id": form.get("query_id"), "answer": form.get("answer")},
                     provenance())
    return "Answer recorded."


def _cell(provider, indicator, service_line, period) -> dict:
    return {"provider": provider.upper(), "indicator": indicator.upper(),
            "service_line": service_line, "period": period}


def _render(cell: dict, errors=None, form=None, action=None):
    found = registry().get_submission(**cell, as_of=g.as_of)
    if found is None:
        raise not_found(f"nothing was submitted for {' '.join(cell.values())}", "period")
    indicator = registry().get_indicator(cell["indicator"], as_of=g.as_of) or {}
    return render_template(
        "submission.html", cell=cell, submission=found, indicator=indicator,
        value_fields=ALLOWED[found["measure"]], errors=errors or {}, form=form or {},
        action=action, can_submit=_may_submit(cell["provider"]))


def _may_submit(provider: str) -> bool:
    user = g.user
    return user["role"] == "admin" or (user["role"] == "provider"
                                       and user["organisation"] == provider)
