"""The registry's web application: pages for people, a JSON API for systems.

``create_app`` builds one Flask application per process around one open
``Registry`` (kept in ``app.extensions["registry"]``). Views stay thin: they load
input, call a service command or a read-model query, and render or dump.
"""

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from config.settings import Settings
from config.storage import open_registry

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, registry=None, config: dict | None = None):
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("REGISTRY_SECURE_COOKIES", "") == "on",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        REGISTRY_SETTINGS=settings,
    )
    app.config.update(config or {})
    app.extensions["registry"] = registry if registry is not None else open_registry(settings)
    app.extensions["registry"].read_side.ensure_tables()
    csrf.init_app(app)
    _register(app)
    if not settings.inline_projections:
        app.after_request(_catch_up_after_writes)
    return app


def _catch_up_after_writes(response):
    """Without inline projections (PostgreSQL), bring the read models up to date after a
    successful write, so the person who made it sees it on the next page. A separate
    ``registry projections follow`` keeps them current for everything else."""
    from flask import current_app, request

    from projections.engine import ProjectionFailed
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 400:
        try:
            current_app.extensions["registry"].read_side.catch_up()
        except ProjectionFailed:
            pass  # logged and shown by `registry projections status`
    return response


def _register(app: Flask) -> None:
    from web import auth, errors, formatting, security
    from web.api import api
    from web.pages import register_pages

    security.register(app)
    errors.register(app)
    formatting.register(app)
    auth.register(app)
    register_pages(app)
    csrf.exempt(api)
    app.register_blueprint(api)


def _secret_key(settings: Settings) -> str:
    """REGISTRY_SECRET_KEY, else a random key kept in var/ beside the database (never in it)."""
    if os.environ.get("REGISTRY_SECRET_KEY"):
        return os.environ["REGISTRY_SECRET_KEY"]
    path = Path(settings.home) / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
