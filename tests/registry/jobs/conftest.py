"""The walk-in centre contract most job tests start from."""

import pytest

from tests.builders import commissioner_of, provider_of, seed, wic


def award_walk_in(app, provider="RY6", start="2018-10-01", end="2019-09-30"):
    app.award_contract({"reference": "C1", "commissioner": "QWO", "provider": provider,
                        "service_lines": "walk_in_centres", "annual_value": "1000000",
                        "total_value": "1000000", "start": start, "end": end,
                        "route": "direct_award"}, commissioner_of("QWO"))


@pytest.fixture
def contracted(app):
    """RY6 runs QWO's walk-in centre from October 2018 to September 2019 and has sent
    October's figure; RYX (no contract) reported October, so WIC4H is being collected."""
    seed(app)
    award_walk_in(app)
    app.submit(wic(provider="RYX", period="2018-10"), provider_of("RYX"))
    app.submit(wic(provider="RY6", period="2018-10"), provider_of("RY6"))
    return app
