"""Users (being built)."""

from flask import render_template

from web.pages import bp


@bp.get("/admin/users")
def users():
    return render_template("placeholder.html", title="Users")
