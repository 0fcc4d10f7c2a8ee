"""Domain errors and HTTP errors mapped to statuses in one place.

The API answers with a JSON body ``{"status", "error", "message", "errors"}``
(``errors`` maps each bad field to its messages); people get a page that says
what went wrong and what to do next. Bad input is never a 500.
"""

import logging

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from registry.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RegistryError,
    RuleViolation,
)

log = logging.getLogger(__name__)

STATUS = ((InvalidInput, 422), (NotFound, 404), (AlreadyExists, 409), (Conflict, 409),
          (PermissionDenied, 403), (RuleViolation, 422))
NEXT_STEP = {
    400: "Check the address or the form and try again.",
    401: "Sign in and try again.",
    403: "Your role does not allow this. Ask an administrator if you need it.",
    404: "Check the code or address; the registry has nothing under it.",
    405: "This address does not accept that kind of request.",
    409: "Someone changed this record at the same moment. Reload it and try again.",
    413: "The upload is too large.",
    422: "Correct the fields named below and send it again.",
    503: "The database cannot be reached. Try again shortly or tell the administrator.",
    500: "Something went wrong on our side; it has been logged.",
}


def status_of(error: RegistryError) -> int:
    return next((code for kind, code in STATUS if isinstance(error, kind)), 422)


def field_errors(error: RegistryError) -> dict[str, list[str]] | None:
    """Messages by field: all of them for invalid input, else the one field named, if any."""
    if isinstance(error, InvalidInput):
        return error.errors
    return {error.field: [error.message]} if error.field else None


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def respond(status: int, message: str, errors: dict | None = None, title: str | None = None):
    from werkzeug.http import HTTP_STATUS_CODES
    title = title or HTTP_STATUS_CODES.get(status, "Error")
    if wants_json():
        body = {"status": status, "error": title, "message": message}
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    return render_template("error.html", status=status, title=title, message=message,
                           errors=errors or {}, next_step=NEXT_STEP.get(status)), status


def register(app) -> None:
    @app.errorhandler(RegistryError)
    def registry_error(error: RegistryError):
        return respond(status_of(error), error.message, field_errors(error))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return respond(400, "The form had expired or did not come from this site "
                            f"({error.description}); reload the page and submit it again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return respond(error.code or 500, error.description or error.name, title=error.name)

    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(error):
        log.error("database unreachable: %s", error)
        return respond(503, "The registry's database cannot be reached.")

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return respond(500, "An unexpected error occurred.")
