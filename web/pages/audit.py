"""Audit trail (being built)."""

from flask import render_template

from web.pages import bp


@bp.get("/audit")
def audit():
    return render_template("placeholder.html", title="Audit trail")
