"""Pages for people: server-rendered Jinja templates, one module per area.

Every page reads the request's "as known at" time (``g.as_of``) and passes it to
its queries, so any page can be re-rendered as the registry knew things then.
Tables offer a CSV download of exactly what is shown (``?format=csv``).
"""

from flask import Blueprint

bp = Blueprint("pages", __name__)


def register_pages(app) -> None:
    from web.pages import (  # noqa: F401
        audit,
        contracts,
        dashboard,
        indicators,
        packs,
        pipeline,
        providers,
        scheduler,
        submissions,
        users,
    )
    app.register_blueprint(bp)
