"""Benchmarks through the API: one indicator and period against peers, JSON and CSV."""

from datetime import UTC, datetime

from tests.web.api.conftest import csv_rows
from tests.web.conftest import WIC_PROVIDERS


def test_a_benchmark_ranks_every_provider_against_the_pool(populated, api):
    document = api("commissioner").get("/benchmarks/WIC4H/2018-06").json
    assert document["service_line"] == "walk_in_centres" and document["peer_group"] == "all"
    assert document["summary"]["providers"] == 3
    ranked = [p["code"] for p in document["providers"]]
    assert ranked == sorted(WIC_PROVIDERS, key=WIC_PROVIDERS.get, reverse=True)
    best = document["providers"][0]
    assert best["rank"] == 1 and best["ci95"][0] < best["value"] < best["ci95"][1]


def test_a_peer_group_narrows_the_pool(populated, api):
    trusts = api().get("/benchmarks/wic4h/2018-06", peer_group="kind:nhs_trust").json
    assert {p["code"] for p in trusts["providers"]} == {"RY6", "RYX"}
    north = api().get("/benchmarks/WIC4H/2018-06", peer_group="region:Y54").json
    assert {p["code"] for p in north["providers"]} == {"RY6", "RY2"}


def test_the_providers_table_downloads_as_csv(populated, api):
    rows = csv_rows(api().get("/benchmarks/WIC4H/2018-06", format="csv"))
    assert [r["code"] for r in rows] == ["RY2", "RY6", "RYX"]
    assert float(rows[0]["ci95_lower"]) < float(rows[0]["value"])
    assert {"funnel.unadjusted", "rank", "comparison"} <= set(rows[0])


def test_a_period_without_figures_has_an_empty_table(populated, api):
    document = api().get("/benchmarks/WIC4H/2017-01").json
    assert document["providers"] == [] and document["national"]["value"] is None


def test_unknown_and_malformed_cells(populated, api):
    assert api().get("/benchmarks/NOPE/2018-06").status_code == 404
    for path, args, field in (("/benchmarks/WIC4H/2018-13", {}, "period"),
                              ("/benchmarks/W!/2018-06", {}, "indicator"),
                              ("/benchmarks/WIC4H/2018-06", {"peer_group": "all; drop"},
                               "peer_group"),
                              ("/benchmarks/WIC4H/2018-06", {"service_line": "x"},
                               "service_line")):
        response = api().get(path, **args)
        assert response.status_code == 422 and field in response.json["errors"], path


def test_as_of_benchmarks_the_figures_known_then(populated, api):
    before = api().get("/benchmarks/WIC4H/2018-06").json
    moment = datetime.now(UTC)
    api("provider").post("/submissions/RY6/WIC4H/walk_in_centres/2018-06/restatements",
                         {"numerator": 10, "denominator": 1000, "reason": "recount"})
    now = api().get("/benchmarks/WIC4H/2018-06").json
    then = api().get("/benchmarks/WIC4H/2018-06", as_of=moment.isoformat()).json
    assert now["providers"][-1]["code"] == "RY6" and now["providers"][-1]["value"] == 1.0
    assert then["providers"] == before["providers"]
