"""The FT pipeline board, and each trust's application with the forms to record a
milestone achieved, a slipped milestone and the regulator's decision.

The forms follow ``web.pages.forms``: the service checks the input and the role (a
provider acts only for its own trust, only the regulator decides), and every change
carries the signed-in user and the reason given.
"""

from flask import g, render_template, request

from projections.pipeline import pipeline_board, pipeline_row
from registry.identity import ft_application_id
from registry.vocabulary import FT_DECISIONS
from web.context import as_of_day, not_found, registry, store
from web.downloads import csv_response, wants_csv
from web.pages import bp
from web.pages.forms import attributed, may, picked, post_redirect_get, posted

APPLICATION = "/pipeline/<provider>"
ACTIONS = {"achieve", "slip", "decide"}
# The application names dates as the milestones import does; the forms as the commands do.
FORM_FIELDS = {"target_date": "new_target", "achieved_date": "achieved_on"}


@bp.get("/pipeline")
def pipeline():
    rows = pipeline_board(store(), g.as_of, today=as_of_day())
    if wants_csv(request):
        return csv_response([{k: v for k, v in r.items() if k != "milestones"} for r in rows],
                            "ft-pipeline")
    columns: dict[str, list] = {}
    for row in rows:
        column = row["stage_label"] if row["status"] == "in_progress" else \
            row["status"].replace("_", " ")
        columns.setdefault(column, []).append(row)
    return render_template("pipeline.html", rows=rows, columns=columns)


@bp.get(APPLICATION)
def ft_application(provider):
    return _render(provider.upper())


@bp.post(APPLICATION)
def change_ft_application(provider):
    provider = provider.upper()
    action, form = posted(ACTIONS)
    _application(provider)
    return post_redirect_get(lambda: _apply(action, provider, form),
                             lambda errors: _render(provider, _on_form(errors), form, action))


def _apply(action: str, provider: str, form: dict) -> str:
    app = registry()
    if action == "achieve":
        app.achieve_milestone(
            {**picked(form, ("milestone", "achieved_on", "evidence")), "provider": provider},
            attributed(form, "record a milestone as achieved"))
        return f"{form['milestone']} recorded as achieved on {form['achieved_on']}."
    if action == "slip":
        app.slip_milestone({**picked(form, ("milestone", "new_target")), "provider": provider},
                           attributed(form, "slip a milestone"))
        return f"{form['milestone']} now due on {form['new_target']}; the slip is on the record."
    app.decide_application(
        {**picked(form, ("decision", "effective", "until")), "provider": provider},
        attributed(form, "record a decision on the application"))
    return f"Decision recorded: {form['decision']}."


def _on_form(errors: dict) -> dict:
    return {FORM_FIELDS.get(field, field): messages for field, messages in errors.items()}


def _application(provider: str) -> dict:
    found = pipeline_row(store(), provider, g.as_of, today=as_of_day())
    if found is None:
        raise not_found(f"{provider} has no foundation-trust application", "provider")
    return found


def _render(provider: str, errors=None, form=None, action=None):
    application = _application(provider)
    return render_template(
        "ft_application.html", application=application, decisions=FT_DECISIONS,
        aggregate_id=ft_application_id(provider, application["attempt"]),
        can_manage=may("manage_milestones", provider), can_decide=may("decide_application"),
        errors=errors or {}, form=form or {}, action=action)
