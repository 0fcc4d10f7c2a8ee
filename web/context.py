"""What a request needs: the registry, the read store, the signed-in user, "as known at"."""

from datetime import UTC, datetime, time

from flask import current_app, g, request

from registry.errors import InvalidInput, NotFound
from registry.provenance import Actor, Provenance


def registry():
    return current_app.extensions["registry"]


def store():
    """The read store, brought up to date first when projections run inline."""
    return registry().read_side.store


def read_side():
    return registry().read_side


def current_user() -> dict | None:
    return g.get("user")


def provenance(reason: str | None = None) -> Provenance:
    """Who is acting, through which channel: every write is attributed to the signed-in user."""
    user = g.user
    channel = "api" if request.blueprint == "api" else "web"
    actor = Actor(user_id=user["username"], organisation=user["organisation"] or "",
                  role=user["role"])
    return Provenance(actor=actor, channel=channel, reason=(reason or "").strip() or None)


AS_OF_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f")


def parse_as_of(text: str | None, field: str = "as_of") -> datetime | None:
    """A recorded time in UTC from '2024-03-01', '2024-03-01T12:00[:00[.ffffff]]' or with Z/offset.

    A bare date means the end of that day: "as known at 1 March" includes what was
    recorded on 1 March.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput({field: ["must be a date (YYYY-MM-DD) or a date and time "
                                    "(YYYY-MM-DDTHH:MM:SS, UTC unless an offset is given)"]})
    if len(text) == 10:
        moment = datetime.combine(moment.date(), time.max)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 1900 <= moment.year <= 9998:  # 9999 can overflow when moved to UTC
        raise InvalidInput({field: ["must be between 1900 and 9998"]})
    return moment.astimezone(UTC)


def as_of_day():
    """The day overdue and expiry are judged on: the as-of date, or None for today."""
    return g.as_of.date() if g.as_of else None


def not_found(message: str, field: str) -> NotFound:
    """A NotFound that says so when the request looks at an earlier recorded time."""
    return NotFound(message + (" as known at that time" if g.as_of else ""), field)
