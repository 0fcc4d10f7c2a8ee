"""Benchmarks and SPC file submission facts by set-based SQL over the stored events
(``projections.fact_filing``): the rows must be those event-by-event filing writes, a
failure must name its event, and a benchmark asked for before the figures are settled
must be the one given after."""

from datetime import date, datetime, timezone

import eventsourcing.domain
import pytest

from projections import fact_filing
from projections.benchmarks import Benchmarks, benchmark
from projections.catalogue import provider_position
from projections.engine import ProjectionFailed
from projections.eventlog import read_events
from projections.fact_filing import period_starts
from projections.spc_charts import SpcCharts, spc_chart
from registry.imports import import_csv
from registry.periods import parse_period
from registry.submission import Submission
from tests.builders import ADMIN, provider_of, seed, wic
from tests.projections.counting import has_index

FACT_TABLES = ("submissions", "organisations", "indicators", "lineage")
KINDS = {"benchmarks": ("bench", "benchmark_dirty"), "spc": ("spcf", "spc_dirty")}


def _mean(provider: str, value: str, sd: str, n: int) -> dict:
    return {"provider": provider, "indicator": "WAITD", "service_line": "community_therapies",
            "period": "2018/19", "value": value, "sd": sd, "n": n}


def _busy(app) -> None:
    """Every kind of submission fact: the three period forms, decimals kept as written,
    an import, a restatement, a withdrawal, a query, a merger and a rename."""
    seed(app)
    for provider in ("RY6", "RYX", "RY2"):
        for period in ("2018-11", "2018-12"):
            app.submit(wic(provider=provider, period=period), provider_of(provider))
        app.submit({"provider": provider, "indicator": "PU1000",
                    "service_line": "district_nursing", "period": "2018-Q4",
                    "numerator": 12, "denominator": 3400}, provider_of(provider))
    app.submit(_mean("RY6", "12.50", "3.1", 40), provider_of("RY6"))
    app.submit(_mean("RY2", "9", "2.0", 25), provider_of("RY2"))
    data = (b"provider,indicator,service_line,period,numerator,denominator,value,sd,n,note\n"
            b"RY6,WIC4H,walk_in_centres,2018-10,90,100,,,,\n"
            b"RYX,WIC4H,walk_in_centres,2018-10,80,100,,,,\n")
    import_csv(app, "submissions", data, "wic.csv", ADMIN)
    app.restate(wic(numerator=50), provider_of("RY6", "correction"))
    app.restate(_mean("RY6", "11.0", "3.0", 41), provider_of("RY6", "recount"))
    withdrawn = wic(provider="RYX", period="2018-11")
    del withdrawn["numerator"], withdrawn["denominator"]
    app.withdraw(withdrawn, ADMIN.because("withdrawn"))
    from tests.builders import REGULATOR
    app.raise_query({"provider": "RY2", "indicator": "WIC4H", "service_line": "walk_in_centres",
                     "period": "2018-12", "question": "Why so high?"}, REGULATOR)
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-01-01"},
                           ADMIN.because("merger"))
    app.rename_organisation({"code": "RY6", "name": "Leeds Community Healthcare",
                             "effective": "2019-02-01"},
                            ADMIN.because("renamed"))
    app.submit(wic(provider="RY2", period="2019-01"), provider_of("RY2"))


def _rows(store, table: str) -> list[tuple]:
    return sorted(tuple(str(v) for v in r.values())
                  for r in store.query(f"SELECT * FROM {table}"))


def _facts(store, name: str) -> dict[str, list[tuple]]:
    prefix, dirty = KINDS[name]
    owed_all = {"spc": _rows(store, "spc_owed_all")} if name == "spc" else {}
    return {**{t: _rows(store, f"{prefix}_{t}") for t in FACT_TABLES},
            "dirty": _rows(store, dirty), **owed_all}


@pytest.mark.parametrize("name", ["benchmarks", "spc"])
@pytest.mark.parametrize("page", [3, 1000])
def test_facts_filed_by_sql_are_the_rows_event_by_event_filing_writes(app, name, page):
    _busy(app)
    runner = app.read_side
    runner.page = page
    runner.rebuild(name, settle=False)
    by_sql = _facts(runner.store, name)
    assert len(by_sql["submissions"]) == 17 and by_sql["lineage"]
    with runner.store.reading() as cursor:
        assert runner.projections[name].owed(cursor) > 0
    decimals = {r[12] for r in by_sql["submissions"]} - {"None"}
    assert decimals == {"12.50", "9", "11.0"}  # as written, not as floats
    starts = {(r[5], r[6]) for r in by_sql["submissions"]}
    assert {("2018-Q4", "2018-10-01"), ("2018/19", "2018-04-01"),
            ("2018-12", "2018-12-01")} <= starts
    runner.settle(name)
    settled = runner.checksums(name)
    runner.projections[name].set_based = False
    runner.rebuild(name, settle=False)
    assert _facts(runner.store, name) == by_sql
    runner.settle(name)
    assert runner.checksums(name) == settled


@pytest.mark.parametrize("name", ["benchmarks", "spc"])
def test_a_submission_recorded_on_the_second_is_filed_with_its_stamp(app, name, monkeypatch):
    seed(app)
    on_the_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo",
                        lambda: on_the_second)
    app.submit(wic(), provider_of("RY6"))
    monkeypatch.undo()
    app.submit(wic(period="2018-11"), provider_of("RY6"))
    app.read_side.rebuild(name)
    prefix = KINDS[name][0]
    stamps = [r["recorded_at"] for r in app.read_side.store.query(
        f"SELECT recorded_at FROM {prefix}_submissions ORDER BY position")]
    assert stamps[0] == "2026-01-02T03:04:05.000000Z" and stamps[1] > stamps[0]


@pytest.mark.parametrize("set_based", [True, False])
@pytest.mark.parametrize("page", [1, 1000])
def test_restatements_and_withdrawals_are_filed_from_the_versions_before_them(app, page,
                                                                             set_based):
    _busy(app)
    runner = app.read_side
    runner.page = page
    runner.projections["benchmarks"].set_based = set_based
    runner.rebuild("benchmarks")
    rows = runner.store.query(
        "SELECT provider, indicator, period, version, numerator, value, sd, n, withdrawn "
        "FROM bench_submissions WHERE (provider = 'RY6' AND period IN ('2018-12', '2018/19')) "
        "OR (provider = 'RYX' AND period = '2018-11') ORDER BY provider, indicator, version")
    assert [tuple(r.values()) for r in rows] == [
        ("RY6", "WAITD", "2018/19", 1, None, "12.50", "3.1", 40, 0),
        ("RY6", "WAITD", "2018/19", 2, None, "11.0", "3.0", 41, 0),
        ("RY6", "WIC4H", "2018-12", 1, 90, None, None, None, 0),
        ("RY6", "WIC4H", "2018-12", 2, 50, None, None, None, 0),
        ("RYX", "WIC4H", "2018-11", 1, 90, None, None, None, 0),
        ("RYX", "WIC4H", "2018-11", 2, 90, None, None, None, 1)]


@pytest.mark.parametrize("set_based", [True, False])
@pytest.mark.parametrize("name", ["benchmarks", "spc"])
def test_a_submission_filed_twice_stops_the_read_model_at_that_event(app, name, set_based):
    app.read_side.projections[name].set_based = set_based
    seed(app)
    app.submit(wic(provider="RYX"), provider_of("RYX"))
    app.submit(wic(), provider_of("RY6"))
    app.read_side.catch_up()
    [_, submission] = [e for e in read_events(app) if e.aggregate_type == "Submission"]
    runner = app.read_side
    with runner.store.transaction() as cursor:  # behind the registry's back
        cursor.execute("UPDATE projection_positions SET position = ? WHERE name = ?",
                       (submission.position - 1, name))
    with pytest.raises(ProjectionFailed, match=f"at event {submission.position} "
                                               r"\(Submission.Submitted\)"):
        runner.catch_up(name)
    assert runner.position(name) == submission.position - 1


@pytest.mark.parametrize("name", ["benchmarks", "spc"])
def test_a_first_version_whose_state_is_not_json_stops_the_read_model_at_that_event(
        app, name):
    """Its stored time reads as usual, so the set-based statement parses it and fails (on
    PostgreSQL, the parallel read of the whole range): the range is filed again one event
    at a time, and the failure names that event; the events before it are filed."""
    seed(app)
    for provider in ("RYX", "RY2", "RY6"):
        app.submit(wic(provider=provider), provider_of(provider))
    submissions = [e for e in read_events(app) if e.aggregate_type == "Submission"]
    target = submissions[1].position
    store = app.read_side.store
    with store.transaction() as cursor:  # behind the registry's back
        state = cursor.execute(f"SELECT state FROM {store.events_table} WHERE "
                               f"{store.events_position} = ?", (target,)).fetchone()["state"]
        cursor.execute(f"UPDATE {store.events_table} SET state = ? WHERE "
                       f"{store.events_position} = ?", (bytes(state)[:-2] + b"{{", target))
    runner = app.read_side
    with pytest.raises(ProjectionFailed, match=f"at event {target} "
                                               r"\(Submission.Submitted\)"):
        runner.rebuild(name)
    assert runner.position(name) == target - 1
    prefix = KINDS[name][0]
    filed = [r["position"] for r in store.query(f"SELECT position FROM {prefix}_submissions")]
    assert filed == [submissions[0].position]


def _filed_in_python(monkeypatch) -> list[int]:
    """The positions ``fact_filing`` leaves to ``FactTables.apply``, as it files them."""
    positions, apply = [], fact_filing._apply

    def recording(tables, cursor, logged, name):
        positions.append(logged.position)
        return apply(tables, cursor, logged, name)
    monkeypatch.setattr(fact_filing, "_apply", recording)
    return positions


@pytest.mark.parametrize("name", ["benchmarks", "spc"])
def test_every_first_version_as_the_registry_writes_it_is_filed_by_sql(app, name,
                                                                       monkeypatch):
    _busy(app)
    in_python = _filed_in_python(monkeypatch)
    app.read_side.rebuild(name, settle=False)
    later = [e.position for e in read_events(app) if e.aggregate_type == "Submission"
             and e.event_type in ("Restated", "Withdrawn")]
    assert sorted(in_python) == later


def _odd_submissions(app) -> list[int]:
    """First versions of unusual forms: a note with quotes, a backslash and keys in it; a
    non-ASCII note; a long decimal; a value stored as a JSON number, not the library's
    decimal marker (written behind the commands' back). Their positions."""
    seed(app)
    app.submit(wic(note='said "provider":"RYX", "n":5 \\ then'), provider_of("RY6"))
    app.submit(wic(period="2018-11", note="Ça va: ok"), provider_of("RY6"))
    app.submit(_mean("RY2", "1." + "3" * 60, "2.0", 25), provider_of("RY2"))
    stored = Submission(provider="RYX", indicator="WAITD", service_line="community_therapies",
                        period="2018/19", measure="mean",
                        values={"value": 12.5, "sd": 3, "n": 40}, note=None,
                        received_on=date(2019, 5, 1),
                        provenance=provider_of("RYX").as_dict())
    app.save(stored)
    return [e.position for e in read_events(app) if e.aggregate_type == "Submission"]


@pytest.mark.parametrize("name", ["benchmarks", "spc"])
def test_first_versions_of_unusual_forms_are_filed_by_sql_as_the_decoder_reads_them(
        app, name, monkeypatch):
    positions = _odd_submissions(app)
    runner = app.read_side
    runner.projections[name].set_based = False
    runner.rebuild(name, settle=False)
    by_decoder = _facts(runner.store, name)
    runner.projections[name].set_based = True
    in_python = _filed_in_python(monkeypatch)
    runner.rebuild(name, settle=False)
    assert _facts(runner.store, name) == by_decoder
    values = {r[12] for r in by_decoder["submissions"]}
    assert {"1." + "3" * 60, "12.5"} <= values
    assert len(positions) == 4 and in_python == []


def test_the_period_table_holds_every_label_of_its_years_as_parse_period_reads_them():
    starts = period_starts(range(2018, 2020))
    assert len(starts) == 2 * (12 + 4 + 1)
    assert starts["2018-12"] == "2018-12-01" and starts["2019-Q3"] == "2019-07-01"
    assert starts["2018/19"] == "2018-04-01" and "2019/20" in starts
    assert all(parse_period(label).start.isoformat() == start and
               parse_period(label).label == label for label, start in starts.items())


@pytest.mark.parametrize("name", ["benchmarks", "spc"])
def test_first_versions_of_periods_the_table_lacks_are_filed_in_python(app, name,
                                                                       monkeypatch):
    _busy(app)
    runner = app.read_side
    runner.rebuild(name, settle=False)
    everything = _facts(runner.store, name)
    monkeypatch.setattr(fact_filing, "YEARS", range(2019, 2020))  # no 2018 labels
    runner.rebuild(name, settle=False)
    assert _facts(runner.store, name) == everything
    prefix = KINDS[name][0]
    assert runner.store.query(f"SELECT MIN(label) AS first FROM {prefix}_periods"
                              )[0]["first"] == "2019-01"


def test_a_benchmark_owed_its_figures_is_computed_from_the_facts_as_settling_gives_it(app):
    _busy(app)
    runner = app.read_side
    runner.rebuild("benchmarks", settle=False)
    store = runner.store
    assert store.query("SELECT COUNT(*) AS n FROM benchmark_providers")[0]["n"] == 0
    owed = {(indicator, period, group): benchmark(store, indicator, period, peer_group=group)
            for indicator, period in (("WIC4H", "2018-12"), ("PU1000", "2018-Q4"),
                                      ("WAITD", "2018/19"))
            for group in ("all", "kind:nhs_trust")}
    positions = {code: provider_position(store, code) for code in ("RY6", "RY2")}
    assert owed[("WIC4H", "2018-12", "all")]["providers"]
    runner.settle("benchmarks")
    assert store.query("SELECT COUNT(*) AS n FROM benchmark_dirty")[0]["n"] == 0
    assert store.query("SELECT COUNT(*) AS n FROM benchmark_providers")[0]["n"] > 0
    for (indicator, period, group), document in owed.items():
        assert benchmark(store, indicator, period, peer_group=group) == document
    assert {code: provider_position(store, code) for code in positions} == positions


def test_an_spc_chart_is_the_same_before_and_after_its_figures_are_settled(app):
    _busy(app)
    runner = app.read_side
    runner.rebuild("spc", settle=False)
    before = spc_chart(runner.store, "RY2", "WIC4H")
    runner.settle("spc")
    assert spc_chart(runner.store, "RY2", "WIC4H") == before
    assert before["points"][0]["pooled_from"] == ["RYX"]


@pytest.mark.parametrize("kind, index", [(Benchmarks, "bench_submissions_cell"),
                                         (SpcCharts, "spcf_submissions_series")])
def test_a_rebuild_files_facts_before_their_indexes_and_settles_after(app, kind, index,
                                                                      monkeypatch):
    _busy(app)
    seen = []
    settle = kind.settle

    def settle_seeing_the_index(self, cursor):
        seen.append(has_index(cursor, index))
        return settle(self, cursor)

    def apply_seeing_the_index(self, cursor, logged):
        seen.append(("page", has_index(cursor, index)))
        return apply(self, cursor, logged)
    apply = kind.apply
    monkeypatch.setattr(kind, "settle", settle_seeing_the_index)
    monkeypatch.setattr(kind, "apply", apply_seeing_the_index)
    app.read_side.rebuild(kind.name)
    assert set(seen) == {("page", False), True}
