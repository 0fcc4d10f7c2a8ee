"""The scheduled job that draws FT applicants' pack charts ahead: afterwards the pack renders
without drawing a chart, and a second run draws nothing."""

from datetime import UTC, datetime

import pytest

from charts import cache
from packs.pdf import render_pdf
from registry.jobs import JOBS, pack_charts
from scheduling.schedules import DEFAULTS
from tests.builders import REGULATOR
from tests.packs.test_packs import build
from tests.registry.jobs.events import at


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """The chart cache on a fresh directory, every drawing counted (in this process)."""
    drawn = []
    for kind, drawer in list(cache.DRAWERS.items()):
        def counting(document, _drawer=drawer, _kind=kind, **options):
            drawn.append(_kind)
            return _drawer(document, **options)
        monkeypatch.setitem(cache.DRAWERS, kind, counting)
    monkeypatch.setattr(cache, "PER_WORKER", 10 ** 6)  # draw here, where it is counted
    cache.use_directory(tmp_path / "charts")
    cache.clear_memory()
    yield drawn
    cache.use_directory(None)
    cache.clear_memory()


def test_the_job_draws_each_applicant_s_pack_charts_once(world, counted):
    now = datetime.now(UTC)
    assert JOBS["pack_charts"] is pack_charts and "pack_charts" in DEFAULTS
    result = pack_charts(world, at("2019-01-01"))  # the clock's day does not matter
    cells = len(build(world, "ft", {"provider": "RY6"}, now)["figures"]["indicators"])
    assert cells > 0 and sorted(counted) == ["funnel"] * cells + ["spc"] * cells
    assert result.recorded == 0 and result.summary.startswith(
        f"pack_charts: {2 * cells} charts of 1 FT applicants' packs ready")
    pack_charts(world, now)  # nothing changed: nothing drawn
    assert len(counted) == 2 * cells
    cache.clear_memory()  # as the web process, which did not run the job, would start
    render_pdf(build(world, "ft", {"provider": "RY6"}, now))
    assert len(counted) == 2 * cells  # the pack drew none of its charts


def test_a_provider_with_no_application_in_progress_has_no_charts_drawn(world, counted):
    world.decide_application({"provider": "RY6", "decision": "withdrawn",
                              "effective": "2014-01-31"}, REGULATOR.because("withdrawn"))
    assert pack_charts(world, at("2019-01-01")).summary.startswith(
        "pack_charts: 0 charts of 0 FT applicants")
    assert counted == []
