"""The scheduler's page (administrators): each job's schedule, last run, outcome and next
run, and the recent failed runs with their tracebacks, read from the registry's database
(whichever process runs the scheduler)."""

from flask import g, render_template

from config.settings import ConfigurationError
from registry.errors import PermissionDenied
from scheduling.service import recent_failures, status
from web.context import registry
from web.pages import bp

FAILURES = 20


@bp.get("/admin/scheduler")
def scheduler():
    if g.user["role"] != "admin":
        raise PermissionDenied("only administrators see the scheduler")
    try:
        jobs, problem = status(registry()), None
    except ConfigurationError as error:  # a schedule setting this server cannot read
        jobs, problem = [], str(error)
    return render_template("scheduler.html", jobs=jobs, problem=problem,
                           failures=recent_failures(registry(), FAILURES))
