"""Indicators (being built)."""

from flask import render_template

from web.pages import bp


@bp.get("/indicators")
def indicators():
    return render_template("placeholder.html", title="Indicators")
