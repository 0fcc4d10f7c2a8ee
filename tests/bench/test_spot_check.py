"""The bench's spot check: its own figures follow DOMAIN.md's published reference values,
and it reports every kind of wrong answer it is meant to catch.

The tiny benchmark (test_bench.py) runs the check against the registry on both engines;
any difference there fails the run.
"""

import csv
import hashlib
import random

import pytest

from bench import spot_check as check

PROPORTION = {"measure": "proportion", "multiplier": "", "polarity": "higher"}
RATE = {"measure": "rate", "multiplier": "1000", "polarity": "lower"}
MEAN = {"measure": "mean", "multiplier": "", "polarity": "lower"}


def test_wilson_interval_is_the_published_reference():
    figure = check.provider_figure({"numerator": "65", "denominator": "100"}, PROPORTION)
    assert figure["value"] == pytest.approx(65.0)
    assert figure["ci95"] == pytest.approx((55.254443296887967, 73.635751756902468), rel=1e-12)


def test_byar_interval_is_the_published_reference_and_small_counts_are_exact():
    figure = check.provider_figure({"numerator": "65", "denominator": "1000"}, RATE)
    assert figure["ci95"] == pytest.approx((50.163187710459454, 82.849138545939837), rel=1e-12)
    # exact Poisson below 10: x = 0 has lower 0 and upper -ln(0.025) = 3.6889
    zero = check.provider_figure({"numerator": "0", "denominator": "1000"}, RATE)
    assert zero["ci95"] == pytest.approx((0.0, 3.6888794541139363), rel=1e-12)


def test_mean_interval_is_students_t():
    figure = check.provider_figure({"value": "20", "sd": "4", "n": "16"}, MEAN)
    # t(0.975, 15) = 2.131450; 4 / sqrt(16) = 1
    assert figure["ci95"] == pytest.approx((20 - 2.131449545559323, 20 + 2.131449545559323))


def test_xmr_chart_is_the_published_reference():
    rows = [{"period": f"2020-{m:02d}", "value": str(m)} for m in range(1, 11)]
    chart = check.expected_chart(rows, {"measure": "count", "multiplier": ""})
    assert chart["mean"] == pytest.approx(5.5)
    assert (chart["lpl"], chart["upl"]) == pytest.approx((2.84, 8.16))
    assert (chart["lower_2sigma"], chart["upper_2sigma"]) == pytest.approx((3.72667, 7.27333),
                                                                           abs=1e-5)
    assert chart["trial_limits"] is True


def test_a_moving_range_of_over_3267_times_the_mean_is_screened_out():
    values = [10, 11] * 10 + [60]
    rows = [{"period": f"{2000 + i}-01", "value": str(v)} for i, v in enumerate(values)]
    chart = check.expected_chart(rows, {"measure": "count", "multiplier": ""})
    mean = sum(values) / len(values)
    assert chart["upl"] == pytest.approx(mean + 2.66 * 1.0)  # the 49 is left out


def _cell_rows():
    counts = [(80, 100), (70, 100), (90, 120), (60, 100), (85, 100)]
    return [{"provider": f"P{i}", "numerator": str(x), "denominator": str(n)}
            for i, (x, n) in enumerate(counts, start=1)]


def _answer(expected):
    """The expected figures put in the shape the benchmark query answers in."""
    return {"national": {"value": expected["national"]},
            "summary": dict(expected["summary"]),
            "providers": [{"code": code, **{k: p[k] for k in (
                "value", "ci95", "ci998", "rank", "quartile", "comparison")}}
                for code, p in expected["providers"].items()]}


def test_benchmark_figures_pool_rank_and_group_the_cell():
    expected = check.expected_benchmark(_cell_rows(), PROPORTION)
    assert expected["national"] == pytest.approx(385 / 520 * 100)
    assert expected["summary"]["median"] == pytest.approx(75.0)  # 60, 70, 75, 80, 85
    ranks = {code: p["rank"] for code, p in expected["providers"].items()}
    assert ranks == {"P5": 1, "P1": 2, "P3": 3, "P2": 4, "P4": 5}
    quartiles = {code: p["quartile"] for code, p in expected["providers"].items()}
    assert quartiles == {"P5": 1, "P1": 2, "P3": 3, "P2": 4, "P4": 4}
    assert expected["providers"]["P4"]["comparison"] == "worse_998"
    assert expected["providers"]["P3"]["comparison"] == "similar"
    assert check.benchmark_differences(_answer(expected), expected) == []


@pytest.mark.parametrize("change, named", [
    (lambda a: a["national"].update(value=a["national"]["value"] + 1e-6), "national value"),
    (lambda a: a["summary"].update(q1=a["summary"]["q1"] + 0.01), "q1"),
    (lambda a: a["providers"][0].update(ci95=[a["providers"][0]["ci95"][0], 99.0]), "ci95"),
    (lambda a: a["providers"][0].update(rank=9), "rank"),
    (lambda a: a["providers"][0].update(comparison="better_95"), "comparison"),
    (lambda a: a["providers"].pop(), "providers"),
])
def test_a_wrong_benchmark_answer_is_reported(change, named):
    expected = check.expected_benchmark(_cell_rows(), PROPORTION)
    answer = _answer(expected)
    change(answer)
    found = check.benchmark_differences(answer, expected)
    assert found and named in found[0]
    assert check.benchmark_differences(None, expected) == ["no answer"]


def _chart_answer(expected, flagged=()):
    keys = ("mean", "lpl", "upl", "lower_2sigma", "upper_2sigma")
    return {**{k: expected[k] for k in ("mean", "lpl", "upl", "trial_limits")},
            "points": [{"period": p, "value": v, **{k: expected[k] for k in keys},
                        "special_cause": p in flagged}
                       for p, v in zip(expected["periods"], expected["values"])]}


def test_a_wrong_chart_or_an_unflagged_point_beyond_the_limits_is_reported():
    values = [10, 11, 10, 12, 11, 10, 11, 30, 11, 10, 12, 11, 10, 11]
    rows = [{"period": f"2020-{m:02d}" if m < 13 else f"2021-{m - 12:02d}", "value": str(v)}
            for m, v in enumerate(values, start=1)]
    expected = check.expected_chart(rows, {"measure": "count", "multiplier": ""})
    assert check.chart_differences(_chart_answer(expected, flagged={"2020-08"}), expected) == []
    found = check.chart_differences(_chart_answer(expected), expected)
    assert found == ["2020-08 lies beyond the limits but is not flagged"]
    wrong = _chart_answer(expected, flagged={"2020-08"})
    wrong["upl"] += 0.001
    assert check.chart_differences(wrong, expected) == [
        f"upl {wrong['upl']!r}, expected {expected['upl']!r}"]
    wrong = _chart_answer(expected, flagged={"2020-08"})
    wrong["points"] = wrong["points"][1:]
    assert check.chart_differences(wrong, expected)[0].startswith("periods ")


def test_rows_are_sampled_and_collected_from_the_files(tmp_path):
    columns = ("provider", "indicator", "service_line", "period", "numerator", "denominator")
    files = []
    for period in ("2020-01", "2020-02"):
        path = tmp_path / f"submissions-{period}-01.csv"
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for provider in ("P1", "P2"):
                writer.writerow((provider, "I1", "podiatry", period, "1", "2"))
        files.append(path)
    assert check.period_of(files[0]) == "2020-01"
    cells, series = check.sample(files, random.Random(3), 4)
    assert {c[2] for c in cells} <= {"2020-01", "2020-02"} and len(series) == 4
    by_cell, by_series, by_provider = check.collect(
        files, [("I1", "podiatry", "2020-02")], [("P2", "I1", "podiatry")], ["P1"])
    assert [r["provider"] for r in by_cell[("I1", "podiatry", "2020-02")]] == ["P1", "P2"]
    assert [r["period"] for r in by_series[("P2", "I1", "podiatry")]] == ["2020-01", "2020-02"]
    assert [(f.file, f.line, f.sha256) for f in by_provider["P1"]] == [
        (path.name, 2, hashlib.sha256(path.read_bytes()).hexdigest()) for path in files]


def _history(filed, **changes):
    """The history records an import of ``filed`` would give."""
    records = [{"aggregate": "Organisation", "provenance": {}, "data": {"code": "P1"}}]
    for item in filed:
        row = item.row
        records.append({
            "aggregate": "Submission",
            "provenance": {"channel": "import", "source": {
                "file": item.file, "sha256": item.sha256, "row": item.line}},
            "data": {**{k: row[k] for k in ("provider", "indicator", "service_line",
                                             "period")},
                     "values": {"numerator": int(row["numerator"]),
                                "denominator": int(row["denominator"])}}})
    return records


FILED = [check.Filed("submissions-2020-01-01.csv", "ab" * 32, line,
                     {"provider": "P1", "indicator": "I1", "service_line": "podiatry",
                      "period": "2020-01", "numerator": str(line), "denominator": "50",
                      "value": "", "sd": "", "n": ""}) for line in (2, 3)]


def test_a_history_with_each_row_once_and_its_provenance_agrees():
    assert check.history_differences(_history(FILED), FILED) == []


@pytest.mark.parametrize("change, named", [
    (lambda h: h.pop(), "line 3: 0 events"),
    (lambda h: h.append(h[-1]), "line 3: 2 events"),
    (lambda h: h[1]["provenance"]["source"].update(sha256="cd" * 32), "file SHA-256"),
    (lambda h: h[1]["provenance"].update(channel="api"), "channel 'api'"),
    (lambda h: h[1]["data"].update(period="2020-02"), "period '2020-02'"),
    (lambda h: h[1]["data"]["values"].update(numerator=7), "numerator 7"),
    (lambda h: h[1]["provenance"]["source"].update(row=9), "line 2: 0 events"),
])
def test_a_wrong_history_is_reported(change, named):
    records = _history(FILED)
    change(records)
    found = check.history_differences(records, FILED)
    assert found and named in found[0], found
    assert check.history_differences(None, FILED) == ["no answer"]


def test_a_submission_from_no_row_of_the_files_is_reported():
    assert check.history_differences(_history(FILED), FILED[:1]) == [
        "1 submission events from no row of the files"]
