"""Comparing an import row with what is stored, for idempotent re-imports."""

from registry.errors import RuleViolation


def differences(stored, data: dict, fields: tuple[str, ...]) -> dict:
    """The fields whose imported value differs from the stored one."""
    return {name: data.get(name) for name in fields
            if _normal(getattr(stored, name)) != _normal(data.get(name))}


def refuse_unless_restating(options, changed: dict, stored, what: str) -> None:
    if options.restate or not changed:
        return
    name = next(iter(changed))
    raise RuleViolation(
        f"differs from the stored {what} ({getattr(stored, name)!s} -> {changed[name]!s}); "
        "to record the change import with --restate --reason '...'", name)


def _normal(value):
    if isinstance(value, (list, tuple)):
        return sorted(value)
    return value
