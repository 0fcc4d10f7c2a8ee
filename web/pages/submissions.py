"""One submitted figure: its values, and the forms to restate, withdraw, query or answer.

The forms follow ``web.pages.forms``: they post back here, the service validates and
attributes the change to the signed-in user, refused input re-renders the page with
each field's message and stores nothing, success redirects (post/redirect/get).
"""

from flask import g, render_template

from registry.measures import ALLOWED
from web.context import not_found, provenance, registry
from web.pages import bp
from web.pages.forms import attributed, may, post_redirect_get, posted

CELL = "/submissions/<provider>/<indicator>/<service_line>/<period>"
ACTIONS = {"restate", "withdraw", "query", "answer"}


@bp.get(CELL)
def submission(provider, indicator, service_line, period):
    return _render(_cell(provider, indicator, service_line, period))


@bp.post(CELL)
def change_submission(provider, indicator, service_line, period):
    cell = _cell(provider, indicator, service_line, period)
    action, form = posted(ACTIONS)
    return post_redirect_get(
        lambda: _apply(action, cell, form),
        lambda errors: _render(cell, errors=errors, form=form, action=action))


def _apply(action: str, cell: dict, form: dict) -> str:
    app = registry()
    if action == "restate":
        values = {k: v for k, v in form.items() if k != "reason"}
        app.restate({**cell, **values}, attributed(form))
        return "Restated. The previous values stay on the record in the audit trail."
    if action == "withdraw":
        app.withdraw(cell, attributed(form))
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
        action=action, can_submit=may("submit", cell["provider"]), can_query=may("query"))
