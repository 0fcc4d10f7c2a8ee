"""SPC charts through the API."""

from datetime import UTC, datetime


def test_a_chart_has_a_point_per_period_with_limits(populated, api):
    chart = api("provider").get("/spc/RY6/WIC4H").json
    assert [p["period"] for p in chart["points"]] == [f"2018-{m:02d}" for m in range(1, 13)]
    assert chart["lpl"] < chart["mean"] < chart["upl"]
    assert chart["service_line"] == "walk_in_centres"
    assert chart["variation_icon"]


def test_as_of_charts_the_figures_known_then(populated, api):
    moment = datetime.now(UTC)
    registry_then = api().get("/spc/RY6/WIC4H", as_of=moment.isoformat()).json
    api("provider").post("/submissions", {"provider": "RY6", "indicator": "WIC4H",
                                          "service_line": "walk_in_centres",
                                          "period": "2019-01", "numerator": 5,
                                          "denominator": 10})
    assert len(api().get("/spc/RY6/WIC4H").json["points"]) == 13
    assert len(api().get("/spc/RY6/WIC4H", as_of=moment.isoformat()).json["points"]) == 12
    assert registry_then["points"][-1]["period"] == "2018-12"


def test_no_figures_is_a_404_and_bad_codes_a_422(populated, api):
    assert api().get("/spc/RY6/PU1000").status_code == 404
    assert api().get("/spc/RY6/NOPE").status_code == 404
    assert api().get("/spc/RY6/WIC4H", as_of="2000-01-01").status_code == 404
    bad = api().get("/spc/R!/WIC4H")
    assert bad.status_code == 422 and "provider" in bad.json["errors"]
    line = api().get("/spc/RY6/WIC4H", service_line="bowls")
    assert line.status_code == 422 and "service_line" in line.json["errors"]
