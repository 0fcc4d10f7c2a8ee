"""Tables as CSV downloads, for the API (``?format=csv``) and the pages' download links.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) are prefixed with an apostrophe, as
OWASP advises, so a downloaded file cannot run anything when opened. Numbers are
written as numbers.
"""

import csv
import io
import json
import re

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, default=str)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def flatten(row: dict, prefix: str = "") -> dict:
    """Nested dicts become dotted columns: {'ci95': {'lower': 1}} -> {'ci95.lower': 1}."""
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and all(not isinstance(v, (dict, list))
                                                     for v in value.values()):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def csv_response(rows: list[dict], filename: str, columns: list[str] | None = None) -> Response:
    flat = [flatten(r) for r in rows]
    if columns is None:
        columns = []
        for row in flat:
            columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in flat:
        writer.writerow([cell(row.get(c)) for c in columns])
    name = SAFE_NAME.sub("-", filename).strip("-.") or "table"
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"'})


def wants_csv(request) -> bool:
    return request.args.get("format") == "csv"
