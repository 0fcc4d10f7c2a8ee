"""FT pipeline (being built)."""

from flask import render_template

from web.pages import bp


@bp.get("/pipeline")
def pipeline():
    return render_template("placeholder.html", title="FT pipeline")
