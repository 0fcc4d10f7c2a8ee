"""The dashboard: what changed recently, what is overdue, which contracts expire soon."""

from flask import render_template

from web.pages import bp


@bp.get("/")
def dashboard():
    return render_template("dashboard.html")
