"""API views, one module per resource; importing them registers them on the blueprint."""

from web.api.resources import (  # noqa: F401
    audit,
    benchmarks,
    catalogue,
    contracts,
    ft_applications,
    histories,
    ledger,
    spc,
    submissions,
    users,
)
