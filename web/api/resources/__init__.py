"""API views, one module per resource; importing them registers them on the blueprint."""

from web.api.resources import catalogue  # noqa: F401
