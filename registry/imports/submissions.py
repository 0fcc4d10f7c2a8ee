"""submissions: provider,indicator,service_line,period,numerator,denominator,value,sd,n,note.

Proportions and rates give numerator and denominator; means give value, sd and n;
medians and counts give value.
"""

from registry.commands import load
from registry.commands.submissions import Submit
from registry.errors import RuleViolation
from registry.identity import submission_id
from registry.measures import VALUE_FIELDS

COLUMNS = ("provider", "indicator", "service_line", "period", "numerator", "denominator",
           "value", "sd", "n", "note")


def prefetch(changes, records) -> None:
    """Ask the store once which of the file's cells are new (most are, in a bulk import)."""
    def cell(record: dict) -> tuple[str, ...]:
        return tuple((record.get(c) or "").strip() for c in COLUMNS[:4])
    changes.prefetch_absent(submission_id(*cell(record)) for _, record in records)


def apply(app, changes, record: dict, provenance, options) -> str:
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
