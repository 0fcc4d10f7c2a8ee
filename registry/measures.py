"""What values each measure type needs, and the figure each one reports.

Proportions and rates are given as numerator and denominator and the value is
derived, so figures can be pooled and their confidence intervals computed; means
need sd and n for a t interval; medians and counts give a value only.
"""

from decimal import Decimal

REQUIRED = {
    "proportion": ("numerator", "denominator"),
    "rate": ("numerator", "denominator"),
    "mean": ("value", "sd", "n"),
    "median": ("value",),
    "count": ("value",),
}
ALLOWED = {
    "proportion": REQUIRED["proportion"],
    "rate": REQUIRED["rate"],
    "mean": REQUIRED["mean"],
    "median": ("value", "n"),
    "count": ("value",),
}
VALUE_FIELDS = ("numerator", "denominator", "value", "sd", "n")


def check_values(measure: str, values: dict) -> dict[str, list[str]]:
    """Errors by field for values that do not fit the measure; empty if they fit."""
    errors: dict[str, list[str]] = {}
    for name in REQUIRED[measure]:
        if values.get(name) is None:
            errors[name] = [f"is required for a {measure}"]
    for name in VALUE_FIELDS:
        if values.get(name) is not None and name not in ALLOWED[measure]:
            hint = "it is derived from numerator and denominator" if name == "value" else \
                "it does not apply"
            errors[name] = [f"must be blank for a {measure}: {hint}"]
    if errors:
        return errors
    num, den = values.get("numerator"), values.get("denominator")
    if measure in ("proportion", "rate") and den == 0:
        errors["denominator"] = ["must be greater than zero"]
    elif measure == "proportion" and num > den:
        errors["numerator"] = [f"must not exceed the denominator ({num} > {den})"]
    if measure == "count" and (values["value"] < 0 or values["value"] != int(values["value"])):
        errors["value"] = ["a count must be a whole number of at least zero"]
    return errors


def stored_values(values: dict) -> dict:
    """Only the value fields that were given, in a canonical order."""
    return {name: values[name] for name in VALUE_FIELDS if values.get(name) is not None}


def reported_value(measure: str, values: dict, multiplier: int | None) -> Decimal:
    """The figure as reported: a percentage for proportions, per multiplier for rates."""
    if measure == "proportion":
        return Decimal(values["numerator"]) * 100 / Decimal(values["denominator"])
    if measure == "rate":
        return Decimal(values["numerator"]) * (multiplier or 1) / Decimal(values["denominator"])
    return Decimal(values["value"])
