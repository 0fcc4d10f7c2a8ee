"""Field types shared by the command schemas."""

import re
import unicodedata

from marshmallow import ValidationError, fields, validate

from registry.periods import PeriodError, parse_period
from registry.vocabulary import SERVICE_LINES

ODS_CODE = re.compile(r"^[A-Z0-9]{2,12}$")


class Code(fields.String):
    """An organisation or indicator code: trimmed, upper-cased, letters and digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not ODS_CODE.match(text):
            raise ValidationError("must be 2-12 letters or digits (an ODS or indicator code)")
        return text


class PeriodLabel(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            return parse_period(text).label
        except PeriodError as error:
            raise ValidationError(str(error)) from None


class ServiceLine(fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=validate.OneOf(sorted(SERVICE_LINES)), **kwargs)


class ServiceLines(fields.List):
    """A list of service lines; also accepts the CSV form 'a;b;c'."""

    def __init__(self, **kwargs):
        super().__init__(ServiceLine(), validate=validate.Length(min=1), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(";") if part.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def storable(value: str) -> None:
    """Text every store can keep: PostgreSQL text refuses NUL (a read model would stop at
    that event) and UTF-8 cannot encode a lone surrogate; other control characters but
    tab and line breaks are never meant."""
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r" for ch in value):
        raise ValidationError("must not contain control characters or unpaired surrogates")


def text(required: bool = True, max_length: int = 500) -> fields.String:
    rules = [validate.Length(min=1, max=max_length), storable]
    if required:
        return fields.String(required=True, validate=rules)
    return fields.String(load_default=None, allow_none=True, validate=rules)


def one_of(choices, required: bool = True) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.OneOf(choices))
    return fields.String(load_default=None, allow_none=True, validate=validate.OneOf(choices))


def money(required: bool = True) -> fields.Decimal:
    """Pounds, to the penny, up to a trillion (so totals stay exact and finite)."""
    rule = validate.Range(min=0, max=10**12)
    if required:
        return fields.Decimal(required=True, places=2, validate=rule)
    return fields.Decimal(load_default=None, allow_none=True, places=2, validate=rule)
