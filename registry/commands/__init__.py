"""Command input schemas (marshmallow): every command's input is loaded here first.

A schema checks shapes, types and vocabularies and names every bad field; rules
that need stored state (an unknown provider, a closed organisation) are checked
by the application and the aggregates.
"""

from functools import cache

from marshmallow import Schema, ValidationError

from registry.errors import InvalidInput


def load(schema: type[Schema], data) -> dict:
    """Load ``data`` with ``schema`` or raise InvalidInput naming every bad field."""
    try:
        return _instance(schema).load(_blank_as_missing(data))
    except ValidationError as error:
        raise InvalidInput(_flatten(error.messages)) from None


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema class: building one deep-copies its fields (most of a
    row's cost in a bulk import), and loading keeps no state on the instance."""
    return schema()


def _blank_as_missing(data):
    if not isinstance(data, dict):
        return data
    return {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """{'a': {0: ['x']}} -> {'a[0]': ['x']}; top-level schema errors go to '_schema'."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(key, int):
            name = f"{prefix}[{key}]"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        flat.update(_flatten(value, name))
    return flat
