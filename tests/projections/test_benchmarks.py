from datetime import datetime, timezone

import pytest

from projections.benchmarks import benchmark
from projections.stats.intervals import wilson_interval
from tests.builders import ADMIN, provider_of, seed, wic

COUNTS = {"RY6": (90, 100), "RYX": (160, 200), "RY2": (300, 310), "NXA01": (43, 50)}


@pytest.fixture
def month(app):
    seed(app)
    for code, (num, den) in COUNTS.items():
        app.submit(wic(provider=code, numerator=num, denominator=den), ADMIN)
    app.read_side.catch_up()
    return app


def test_a_benchmark_lists_every_reporting_provider_with_intervals(month):
    doc = benchmark(month.read_side.store, "WIC4H", "2018-12")
    assert doc["national"] == {"value": pytest.approx(593 / 660 * 100), "numerator": 593,
                               "denominator": 660}
    by_code = {p["code"]: p for p in doc["providers"]}
    assert set(by_code) == set(COUNTS)
    lower, upper = wilson_interval(160, 200, 0.95)
    assert by_code["RYX"]["value"] == pytest.approx(80.0, abs=1e-9)
    assert by_code["RYX"]["ci95"] == pytest.approx([lower * 100, upper * 100], abs=1e-9)
    assert [p["code"] for p in doc["providers"]] == ["RY2", "RY6", "NXA01", "RYX"]
    assert [p["rank"] for p in doc["providers"]] == [1, 2, 3, 4]
    assert by_code["RY2"]["comparison"] == "better_998"
    assert by_code["NXA01"]["comparison"] == "similar"
    assert by_code["RYX"]["comparison"] in ("worse_95", "worse_998")
    assert by_code["RY2"]["quartile"] == 1 and by_code["RYX"]["quartile"] == 4
    assert by_code["RY2"]["funnel"]["unadjusted"].startswith("above")


def test_peer_groups_by_kind_and_region(month):
    store = month.read_side.store
    kind = benchmark(store, "WIC4H", "2018-12", peer_group="kind:nhs_trust")
    assert [p["code"] for p in kind["providers"]] == ["RY6", "RYX"]
    assert kind["national"]["numerator"] == 250
    region = benchmark(store, "WIC4H", "2018-12", peer_group="region:Y54")
    assert sorted(p["code"] for p in region["providers"]) == ["RY2", "RY6"]


def test_a_restatement_today_changes_the_live_figure_but_not_an_earlier_as_of(month):
    before = datetime.now(timezone.utc)
    month.restate(wic(numerator=50), provider_of("RY6", "duplicates removed"))
    month.read_side.catch_up()
    store = month.read_side.store
    live = {p["code"]: p["value"] for p in benchmark(store, "WIC4H", "2018-12")["providers"]}
    then = {p["code"]: p["value"] for p in
            benchmark(store, "WIC4H", "2018-12", as_of=before)["providers"]}
    assert live["RY6"] == pytest.approx(50.0) and then["RY6"] == pytest.approx(90.0)
    assert benchmark(store, "WIC4H", "2018-12", as_of=datetime.now(timezone.utc)) == \
        benchmark(store, "WIC4H", "2018-12")


def test_a_withdrawn_submission_leaves_the_figures(month):
    cell = {k: v for k, v in wic().items() if k not in ("numerator", "denominator")}
    month.withdraw(cell, provider_of("RY6", "wrong service"))
    month.read_side.catch_up()
    doc = benchmark(month.read_side.store, "WIC4H", "2018-12")
    assert "RY6" not in [p["code"] for p in doc["providers"]]
    assert doc["national"]["numerator"] == 503


def test_a_change_of_kind_moves_past_figures_between_peer_groups(month):
    month.change_organisation_kind({"code": "RY6", "kind": "foundation_trust",
                                    "effective": "2019-04-01"}, ADMIN)
    month.read_side.catch_up()
    store = month.read_side.store
    assert [p["code"] for p in benchmark(store, "WIC4H", "2018-12",
                                         peer_group="kind:nhs_trust")["providers"]] == ["RYX"]
    incremental = month.read_side.checksums()
    month.read_side.rebuild()
    assert month.read_side.checksums() == incremental
