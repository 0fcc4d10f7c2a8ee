import pytest

from projections.spc_charts import spc_chart
from tests.builders import ADMIN, seed, wic


def months(year_from=2016, count=24):
    for i in range(count):
        yield f"{year_from + i // 12}-{i % 12 + 1:02d}"


def test_a_chart_has_limits_icons_and_trial_limits_below_13_points(app):
    seed(app)
    for i, period in enumerate(months(count=10)):
        app.submit(wic(period=period, numerator=90 + i % 3, denominator=100), ADMIN)
    app.read_side.catch_up()
    chart = spc_chart(app.read_side.store, "RY6", "WIC4H")
    values = [90 + i % 3 for i in range(10)]
    assert chart["mean"] == pytest.approx(sum(values) / 10)
    assert chart["trial_limits"] is True
    assert chart["lpl"] < chart["mean"] < chart["upl"]
    assert chart["variation_icon"] == "common_cause"
    assert [p["period"] for p in chart["points"]] == list(months(count=10))


def test_a_merged_trust_chart_pools_its_predecessor_and_rebaselines(app):
    seed(app)
    for period in months(2016, 15):
        app.submit(wic(provider="RYX", period=period, numerator=80, denominator=100), ADMIN)
        app.submit(wic(provider="RY2", period=period, numerator=95, denominator=100), ADMIN)
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2017-04-01"},
                           ADMIN.because("merger"))
    for period in list(months(2017, 12))[3:]:
        app.submit(wic(provider="RY2", period=period, numerator=90, denominator=100), ADMIN)
    app.read_side.catch_up()
    chart = spc_chart(app.read_side.store, "RY2", "WIC4H")
    first, last = chart["points"][0], chart["points"][-1]
    assert first["value"] == pytest.approx(87.5) and first["pooled_from"] == ["RYX"]
    assert last["value"] == pytest.approx(90.0) and last["pooled_from"] == []
    assert chart["rebaselined_at"] == ["2017-04"]
    assert {p["segment"] for p in chart["points"]} == {0, 1}
    assert chart["mean"] == pytest.approx(90.0)
