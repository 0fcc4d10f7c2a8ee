"""The API's OpenAPI 3 document, built from the views' own declarations.

Each view is decorated with ``operation(...)``, naming its input schemas (query
and body), its response schema and the error statuses it can answer with. The
document is generated from those declarations and the marshmallow schemas by
apispec, so it cannot drift from what the views actually load and dump.
"""

import re
from decimal import Decimal

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from werkzeug.http import HTTP_STATUS_CODES

from web.api.schemas import Error

ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 503)
FLASK_PATH_ARG = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def operation(summary: str, *, tag: str, query=None, body=None, response=None,
              status: int = 200, errors=(), csv: bool = False, many: bool = False,
              description: str | None = None, path=None, also: tuple = (),
              public: bool = False):
    """Declare what a view takes and answers, for the OpenAPI document.

    ``path`` is the schema that loads the path parameters, if the view has one, so the
    document gives their real types (an integer, a service line) instead of any text.
    ``also`` lists other success statuses answered with the same schema; ``public``
    views need no token."""

    def declare(view):
        view.__openapi__ = {"summary": summary, "tag": tag, "query": query, "body": body,
                            "path": path, "also": tuple(also), "public": public,
                            "response": response, "status": status, "errors": tuple(errors),
                            "csv": csv, "many": many,
                            "description": description or view.__doc__}
        return view

    return declare


def build_spec() -> dict:
    spec = APISpec(
        title="Community services registry API", version="1.0.0", openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": (
            "Indicator submissions, contracts, FT applications, benchmarks, SPC charts, "
            "histories and the audit index of the community services registry. Every write "
            "is recorded as an immutable event attributed to the token's user. Read "
            "endpoints accept `as_of` (a recorded time) to answer as the registry knew "
            "things then.")},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=Error)
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        declared = getattr(view, "__openapi__", None)
        if declared is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            spec.path(path=FLASK_PATH_ARG.sub(r"{\1}", rule.rule),
                      operations={method.lower(): _operation(rule, declared)})
    return _numbers(spec.to_dict())


def _numbers(value):
    """apispec copies a Decimal field's bounds as Decimals (``Range(min=0)`` becomes
    ``Decimal('0')``), which JSON would carry as text; OpenAPI needs numbers."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _operation(rule, declared: dict) -> dict:
    op = {"summary": declared["summary"], "tags": [declared["tag"]],
          "operationId": rule.endpoint.replace("api.", ""),
          "security": [] if declared["public"] else [{"bearer": []}],
          "parameters": [], "responses": {}}
    if declared["description"]:
        op["description"] = " ".join(declared["description"].split())
    if declared["path"] is not None:
        op["parameters"].append({"in": "path", "schema": declared["path"]})
    else:
        for name in rule.arguments:
            op["parameters"].append({"in": "path", "name": name, "required": True,
                                     "schema": {"type": "string", "minLength": 1}})
    if declared["query"] is not None:
        op["parameters"].append({"in": "query", "schema": declared["query"]})
    if declared["body"] is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": declared["body"]}}}
    content = {}
    if declared["response"] is not None:
        schema = declared["response"]
        content["application/json"] = {"schema": {"type": "array", "items": schema}
                                       if declared["many"] else schema}
    if declared["csv"]:
        content["text/csv"] = {"schema": {"type": "string"}}
    ok = {"description": HTTP_STATUS_CODES[declared["status"]]}
    if content:
        ok["content"] = content
    for status in (declared["status"], *declared["also"]):
        op["responses"][str(status)] = {**ok, "description": HTTP_STATUS_CODES[status]}
    statuses = ({503} if declared["public"] else {401, 503}) | set(declared["errors"])
    if declared["query"] is not None or declared["body"] is not None or rule.arguments:
        statuses |= {422}
    if declared["body"] is not None:
        statuses |= {400}
    for status in sorted(statuses):
        op["responses"][str(status)] = {
            "description": HTTP_STATUS_CODES[status],
            "content": {"application/json": {"schema": "Error"}}}
    return op
