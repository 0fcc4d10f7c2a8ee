"""A registry with something for every job to notice on today's real date (the scheduler
runs on the real clock), and helpers to read the scheduler's record."""

from datetime import date, timedelta

import pytest

from scheduling.runs import Runs
from scheduling.service import ensure_tables
from tests.builders import commissioner_of, provider_of, seed, wic
from tests.registry.jobs.conftest import award_walk_in

# 11 overdue walk-in-centre figures (November 2018 to September 2019), the 12- and
# 6-month notices of a contract ending in 100 days, one slipped FT milestone.
EXPECTED_NOTICES = 11 + 2 + 1


@pytest.fixture
def scenario(app):
    seed(app)
    award_walk_in(app)
    app.submit(wic(provider="RYX", period="2018-10"), provider_of("RYX"))
    app.submit(wic(provider="RY6", period="2018-10"), provider_of("RY6"))
    end = date.today() + timedelta(days=100)
    app.award_contract({"reference": "C2", "commissioner": "QWO", "provider": "RYX",
                        "service_lines": "district_nursing", "annual_value": "500000",
                        "total_value": "1000000", "start": str(end - timedelta(days=730)),
                        "end": str(end), "route": "direct_award"}, commissioner_of("QWO"))
    app.schedule_milestone({"provider": "RY6", "milestone": "tfa",
                            "target_date": "2012-03-30"}, provider_of("RY6"))
    return app


def runs_of(app, job=None, outcome=None) -> list[dict]:
    """Runs recorded, oldest first."""
    ensure_tables(app.read_side.store)
    return list(reversed(Runs(app.read_side.store).recent(job, outcome, limit=10_000)))

