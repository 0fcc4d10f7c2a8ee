"""The dashboard: what changed recently, what is overdue, which contracts end soon, which
data queries await an answer, and the scheduler's open notices."""

from datetime import date

from flask import g, render_template

from projections.audit import audit_events, open_queries
from projections.contracts import contracts_register
from projections.notices import open_counts, open_notices
from projections.pipeline import pipeline_board
from web.context import as_of_day, store
from web.pages import bp

RECENT = 15
NOTICES = 20
EXPIRING_DAYS = 183


@bp.get("/")
def dashboard():
    today = as_of_day() or date.today()
    register = contracts_register(store(), g.as_of, today=today)
    applications = pipeline_board(store(), g.as_of, today=today)
    return render_template(
        "dashboard.html", today=today,
        recent=audit_events(store(), as_of=g.as_of, limit=RECENT)["items"],
        queries=open_queries(store(), as_of=g.as_of),
        notices=open_notices(store(), as_of=g.as_of, limit=NOTICES, newest_first=True),
        notice_counts=open_counts(store(), as_of=g.as_of),
        expiring=[c for c in register if c["status"] == "live"
                  and 0 <= c["days_to_end"] <= EXPIRING_DAYS],
        reviews_due=[c for c in register if c["review_status"] == "open"
                     and c["review_due_by"] and c["review_due_by"] < today.isoformat()],
        overdue_milestones=[(a, m) for a in applications for m in a["milestones"]
                            if m["overdue"]])
