import pytest

from config.settings import Settings
from config.storage import open_registry
from projections.engine import ProjectionFailed
from projections.eventlog import read_events
from registry.jobs import projection_catch_up
from tests.builders import provider_of, seed, wic
from tests.projections.counting import Counting
from tests.registry.jobs.events import at


@pytest.fixture
def following(database_url, tmp_path):
    """A registry whose projections are not inline, on either engine."""
    app = open_registry(Settings.from_env({"REGISTRY_DATABASE_URL": database_url,
                                           "REGISTRY_HOME": str(tmp_path),
                                           "REGISTRY_INLINE_PROJECTIONS": "off"}))
    yield app
    app.close()


def lags(app) -> dict[str, int]:
    return {row["name"]: row["lag"] for row in app.read_side.status()}


def test_every_projection_is_brought_to_the_end_of_the_log(following):
    seed(following)
    following.submit(wic(), provider_of("RY6"))
    assert set(lags(following).values()) != {0}
    result = projection_catch_up(following, at("2019-01-01"))
    assert set(lags(following).values()) == {0}
    assert result.recorded > 0 and result.summary.startswith(
        f"projection_catch_up: {result.recorded} events applied (")
    again = projection_catch_up(following, at("2019-01-01"))
    assert (again.recorded, again.summary) == (
        0, "projection_catch_up: 0 events applied (none behind)")


def test_with_inline_projections_there_is_nothing_to_do(app):
    seed(app)
    if app.env.get("INLINE_PROJECTIONS") != "on":
        pytest.skip("projections are inline by default on SQLite only")
    result = projection_catch_up(app, at("2019-01-01"))
    assert (result.recorded, result.summary) == (0, "projections are inline: nothing to do")


def test_a_failing_projection_fails_the_run_after_the_others_caught_up(following):
    seed(following)
    failing = [e.position for e in read_events(following)][3]
    runner = following.read_side
    runner.projections = {"counting": Counting(fail_at=failing), **runner.projections}
    runner._created = False  # so that the counting table is created
    with pytest.raises(ProjectionFailed, match=f"'counting' stopped at event {failing}"):
        projection_catch_up(following, at("2019-01-01"))
    assert {name for name, lag in lags(following).items() if lag} == {"counting"}
