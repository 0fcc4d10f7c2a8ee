"""User administration (admins) and each user's own account page (API tokens).

The user list comes from the audit index (every User.Registered event), with each
account's current state read from its own event stream.
"""

from flask import flash, g, redirect, render_template, request, url_for

from projections.audit import audit_events
from registry.errors import PermissionDenied, RegistryError
from web.context import provenance, registry, store
from web.errors import field_errors, status_of
from web.pages import bp

MAX_USERS = 500


@bp.get("/admin/users")
def users():
    _admins_only()
    return _render_users()


@bp.post("/admin/users")
def add_user():
    _admins_only()
    form = {k: request.form.get(k) for k in ("username", "name", "role", "organisation",
                                              "password")}
    try:
        registry().add_user(form, provenance())
    except RegistryError as error:
        errors = field_errors(error) or {"_": [error.message]}
        return _render_users(errors, form), status_of(error)
    flash(f"Created {form['username'].strip().lower()}.", "success")
    return redirect(url_for("pages.users"))


@bp.get("/account")
def account():
    return render_template("account.html", issued=None)


@bp.post("/account/tokens")
def issue_token():
    issued = registry().issue_token({"username": g.user["username"],
                                     "label": request.form.get("label")}, provenance())
    g.user = registry().get_user(g.user["username"])
    return render_template("account.html", issued=issued)


@bp.post("/account/tokens/<token_id>/revoke")
def revoke_token(token_id):
    registry().revoke_token({"username": g.user["username"], "token_id": token_id},
                            provenance())
    flash(f"Token {token_id} revoked.", "success")
    return redirect(url_for("pages.account"))


def _render_users(errors=None, form=None):
    registered = audit_events(store(), event_type="User.Registered", limit=MAX_USERS)["items"]
    accounts = [registry().get_user(e["data"]["username"]) for e in registered]
    return render_template("users.html", accounts=[a for a in accounts if a],
                           errors=errors or {}, form=form or {})


def _admins_only() -> None:
    if g.user["role"] != "admin":
        raise PermissionDenied("only administrators manage user accounts")
