"""Contracts (being built)."""

from flask import render_template

from web.pages import bp


@bp.get("/contracts")
def contracts():
    return render_template("placeholder.html", title="Contracts")
