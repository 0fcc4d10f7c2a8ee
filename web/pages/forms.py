"""What the page forms share: the action posted, who may act, the reason, post/redirect/get.

A form posts back to its page with an ``action`` and the CSRF token (Flask-WTF refuses
a post without it before any view runs). The service validates the input, applies
the role rules and attributes the change to the signed-in user. Refused input
re-renders the page with each field's message (422, 404, 409) and stores nothing; a
role that may not make the change gets the 403 error page; success flashes what was
recorded and redirects (post/redirect/get).
"""

from collections.abc import Callable

from flask import flash, redirect, request
from marshmallow import Schema

from registry.commands import load
from registry.commands.fields import text
from registry.errors import InvalidInput, PermissionDenied, RegistryError
from registry.provenance import Provenance, require_reason
from registry.services.permissions import authorise
from web.context import provenance
from web.errors import field_errors, status_of


class Reason(Schema):
    reason = text(required=False, max_length=2000)


def posted(actions) -> tuple[str, dict]:
    """The form's action (one of ``actions``) and its other fields."""
    action = request.form.get("action")
    if action not in actions:
        raise InvalidInput({"action": [f"must be one of {', '.join(sorted(actions))}"]})
    return action, {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}


def picked(form: dict, names) -> dict:
    """The named fields the form carries (a field left out stays missing, not null)."""
    return {name: form[name] for name in names if name in form}


def attributed(form: dict, why: str | None = None) -> Provenance:
    """The signed-in user's provenance with the form's reason, checked like any stored text;
    with ``why`` the reason is required ("a reason is required to <why>")."""
    found = provenance(load(Reason, {"reason": form.get("reason")}).get("reason"))
    if why:
        require_reason(found, why)
    return found


def may(action: str, organisation: str | None = None) -> bool:
    """Whether the service's role rules let the signed-in user do ``action`` (see
    ``registry.services.permissions``) for ``organisation``: a page offers only the forms
    the service would accept."""
    try:
        authorise(provenance(), action, organisation)
    except PermissionDenied:
        return False
    return True


def post_redirect_get(change: Callable[[], str], render: Callable[[dict], object],
                      location: Callable[[], str] | None = None):
    """Make the ``change`` (it returns what to tell the user) and redirect to ``location``
    (default: this page), or re-render the page with the refusal's field errors."""
    try:
        message = change()
    except PermissionDenied:
        raise  # the friendly 403 page
    except RegistryError as error:
        return render(field_errors(error) or {"_": [error.message]}), status_of(error)
    flash(message, "success")
    return redirect(location() if location else request.path)
