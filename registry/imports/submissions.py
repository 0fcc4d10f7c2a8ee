"""submissions: provider,indicator,service_line,period,numerator,denominator,value,sd,n,note.

Proportions and rates give numerator and denominator; means give value, sd and n;
medians and counts give value.
"""

import re
from decimal import Decimal

from marshmallow import fields, validate

from registry.commands import _instance, load
from registry.commands.fields import ODS_CODE, Code, PeriodLabel, ServiceLine, storable
from registry.commands.submissions import Submit
from registry.errors import RuleViolation
from registry.identity import indicator_id, organisation_id, submission_id
from registry.measures import VALUE_FIELDS
from registry.periods import parse_period
from registry.vocabulary import SERVICE_LINES

COLUMNS = ("provider", "indicator", "service_line", "period", "numerator", "denominator",
           "value", "sd", "n", "note")


def prefetch(changes, records) -> None:
    """Ask the store once which of the file's cells are new (most are, in a bulk import),
    and load the providers and indicators the file names in one query."""
    def cell(record: dict) -> tuple[str, ...]:
        return tuple((record.get(c) or "").strip() for c in COLUMNS[:4])
    cells = [cell(record) for _, record in records]
    changes.prefetch_absent(submission_id(*c) for c in cells)
    changes.prefetch_stored([organisation_id(c[0].upper()) for c in cells if c[0]]
                            + [indicator_id(c[1].upper()) for c in cells if c[1]])


def apply(app, changes, record: dict, provenance, options) -> str:
    data = _plain_row(record)
    if data is None:
        data = load(Submit, record)
    cell = (data["provider"], data["indicator"], data["service_line"], data["period"])
    stored = changes.get(submission_id(*cell))
    if stored is None:
        app._submit(changes, data, provenance)
        return "submitted"
    _, values, _ = app._checked_values(changes, data)
    if values == stored.values:
        return "unchanged"
    if stored.withdrawn:
        raise RuleViolation(f"the submission for {stored.cell} was withdrawn and cannot be "
                            "restated", "period")
    if not options.restate:
        name = next(n for n in VALUE_FIELDS if values.get(n) != stored.values.get(n))
        raise RuleViolation(
            f"differs from the stored submission ({stored.values.get(name)} -> "
            f"{values.get(name)}); to restate it import with --restate --reason '...'", name)
    app._restate(changes, data, provenance)
    return "restated"


# A bulk import's rows are nearly all plain: codes, a service line, a period label and
# digits. ``_plain_row`` loads such a row as ``load(Submit, row)`` does (same values, same
# keys in the same order) in a fraction of marshmallow's time, and returns None for
# anything else - a blank required field, a sign, a space, an exponent, a value out of
# range, an unknown column - which then goes through the schema, errors and all. It is
# on only while the schema is the one it was written for (``_SHAPE``); a test compares
# the two on generated rows.
_INTEGER = re.compile(r"[0-9]{1,13}")
_DECIMAL = re.compile(r"-?[0-9]{1,13}(\.[0-9]{1,20})?")
_SHAPE = {"numerator": fields.Integer, "denominator": fields.Integer,
          "value": fields.Decimal, "sd": fields.Decimal, "n": fields.Integer,
          "note": fields.String, "provider": Code, "indicator": Code,
          "service_line": ServiceLine, "period": PeriodLabel, "received_on": fields.Date}
_NUMBERS = ("numerator", "denominator", "value", "sd", "n")


def _schema_rules():
    """(field order, {number field: (lowest, highest)}, longest note) read off the schema,
    or None if it is not the shape ``_plain_row`` was written for."""
    schema = _instance(Submit)
    declared = schema.load_fields
    if ({name: type(field) for name, field in declared.items()} != _SHAPE
            or any(getattr(schema, "_hooks", {}).values())):
        return None
    bounds = {}
    for name in _NUMBERS:
        field = declared[name]
        rules = field.validators
        if (len(rules) != 1 or not isinstance(rules[0], validate.Range)
                or not rules[0].min_inclusive or not rules[0].max_inclusive
                or field.required or field.load_default is not None
                or getattr(field, "strict", False) or getattr(field, "places", None)):
            return None
        bounds[name] = (rules[0].min, rules[0].max)
    note = declared["note"].validators
    if (len(note) != 2 or not isinstance(note[0], validate.Length) or note[0].min != 1
            or note[0].equal is not None or note[1] is not storable):
        return None
    return tuple(declared), bounds, note[0].max


_RULES = _schema_rules()


def _plain_row(record: dict) -> dict | None:
    if _RULES is None:
        return None
    order, bounds, longest_note = _RULES
    given = {}
    for key, value in record.items():
        if not isinstance(value, str) or key not in _SHAPE:
            return None
        if value.strip():
            given[key] = value
    if "received_on" in given:
        return None
    loaded = {}
    for name in ("provider", "indicator"):
        code = given.get(name, "").strip().upper()
        if not ODS_CODE.match(code):
            return None
        loaded[name] = code
    if given.get("service_line") not in SERVICE_LINES:
        return None
    loaded["service_line"] = given["service_line"]
    try:
        loaded["period"] = parse_period(given.get("period", "").strip()).label
    except Exception:  # the schema says what is wrong with it
        return None
    for name, (lowest, highest) in bounds.items():
        text = given.get(name)
        if text is None:
            loaded[name] = None
            continue
        integer = _SHAPE[name] is fields.Integer
        if not (_INTEGER if integer else _DECIMAL).fullmatch(text):
            return None
        number = int(text) if integer else Decimal(text)
        if not lowest <= number <= highest:
            return None
        loaded[name] = number
    note = given.get("note")
    if note is not None:
        if len(note) > longest_note:
            return None
        try:
            storable(note)
        except Exception:
            return None
    loaded["note"] = note
    loaded["received_on"] = None
    return {name: loaded[name] for name in order}
