"""Errors the registry raises when a command cannot be carried out.

Every error names what was wrong in words a registry user can act on. ``field``
names the input field at fault where there is one, so the API, the web forms and
the CSV importer can all point at it.
"""


class RegistryError(Exception):
    """Base class: a command was refused and nothing was stored."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class InvalidInput(RegistryError):
    """Input failed validation; ``errors`` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        super().__init__(f"invalid input: {summary}")


class NotFound(RegistryError):
    """The thing a command refers to is not in the registry."""


class AlreadyExists(RegistryError):
    """A creation command for something that is already registered."""


class RuleViolation(RegistryError):
    """A domain rule forbids the command (e.g. restating a withdrawn submission)."""


class Conflict(RegistryError):
    """Someone else changed the same record first; reload and try again."""


class PermissionDenied(RegistryError):
    """The actor's role does not allow this command on this organisation."""
