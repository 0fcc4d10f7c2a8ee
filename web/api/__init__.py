"""The JSON API under /api/v1: bearer-token authentication, JSON in and out, CSV for tables.

Input is loaded with the command schemas (registry.commands), output dumped with
the response schemas (web.api.schemas); every view declares both with
``operation`` so the OpenAPI document at /api/v1/openapi.json describes exactly
what the views do. Interactive documentation (Swagger UI, served from this site)
is at /api/v1/docs.
"""

from flask import Blueprint, jsonify, render_template, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from registry.commands import load
from registry.errors import InvalidInput
from web.api.spec import build_spec

api = Blueprint("api", __name__, url_prefix="/api/v1")


def query(schema) -> dict:
    """The request's query arguments loaded with ``schema`` (unknown arguments refused)."""
    return load(schema, request.args.to_dict())


def parsed_json():
    """The request's JSON, or None if it has none or it cannot be read (too deeply nested
    JSON exhausts the parser's recursion: that is a bad request, not a server error)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def body() -> dict:
    """The request's JSON object; anything else is refused with a 400 naming the problem."""
    data = parsed_json()
    if not isinstance(data, dict):
        from werkzeug.exceptions import BadRequest
        raise BadRequest("the request body must be a JSON object "
                         "(Content-Type: application/json)")
    return data


def reason_of(data: dict) -> str | None:
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput({"reason": ["must be text"]})
    return reason


def dump(schema, obj, status: int = 200, many: bool = False):
    return jsonify(schema(many=many).dump(obj)), status


@api.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


@api.get("/docs")
def docs():
    return render_template("api_docs.html")


@api.get("/docs/static/<path:filename>")
def docs_static(filename):
    return send_from_directory(swagger_ui_path, filename)


from web.api import resources  # noqa: F401  (views register on the blueprint)
