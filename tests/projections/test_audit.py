from datetime import UTC, datetime

import pytest

from projections.audit import audit_event, audit_events, open_queries, page_query, parts
from projections.engine import ProjectionFailed
from projections.eventlog import read_events
from registry.imports import import_csv
from tests.builders import ADMIN, commissioner_of, provider_of, seed, wic
from tests.ledger.test_tamper import sql


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def positions(app) -> list[int]:
    return [e.position for e in read_events(app)]


def everything(store, **filters) -> list[dict]:
    return audit_events(store, limit=1000, **filters)["items"]


def test_every_event_is_indexed_newest_first_with_its_provenance(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    seeded.read_side.catch_up()
    items = everything(seeded.read_side.store)
    assert [i["position"] for i in items] == positions(seeded)[::-1]
    newest = items[0]
    assert (newest["aggregate_type"], newest["event_type"], newest["version"]) == (
        "Submission", "Submitted", 1)
    assert newest["actor"] == {"user_id": "user@RY6", "role": "provider", "organisation": "RY6"}
    assert (newest["channel"], newest["reason"], newest["source"]) == ("api", None, None)
    assert (newest["period"], newest["indicator"], newest["service_line"]) == (
        "2018-12", "WIC4H", "walk_in_centres")
    assert newest["organisations"] == ["RY6"]
    assert newest["data"]["values"] == {"numerator": 90, "denominator": 100}
    assert datetime.fromisoformat(newest["recorded_at"]) <= datetime.now(UTC)
    indicator = next(i for i in items if i["event_type"] == "Defined")
    assert indicator["organisations"] == [] and indicator["period"] is None


def test_a_restatement_shows_previous_and_new_values_under_either_event_name(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    seeded.restate(wic(numerator=50), provider_of("RY6", "duplicates removed"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store
    [short] = everything(store, event_type="Restated")
    assert everything(store, event_type="Submission.Restated") == [short]
    assert everything(store, event_type="Organisation.Restated") == []
    assert short["previous_values"] == {"numerator": 90, "denominator": 100}
    assert short["values"] == {"numerator": 50, "denominator": 100}
    assert short["changed"] == ["numerator"]
    assert short["reason"] == "duplicates removed"
    assert (short["period"], short["indicator"], short["version"]) == ("2018-12", "WIC4H", 2)
    assert audit_event(store, short["position"]) == short
    assert audit_event(store, 10**9) is None


def test_filters_by_organisation_actor_type_period_and_recorded_time(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    between = datetime.now(UTC)
    seeded.submit(wic(provider="RYX", period="2019-01"), provider_of("RYX"))
    seeded.award_contract({"reference": "C1", "commissioner": "QWO", "provider": "RY6",
                           "service_lines": "district_nursing", "annual_value": "1",
                           "total_value": "3", "start": "2022-07-01", "end": "2025-06-30",
                           "route": "direct_award"}, commissioner_of("QWO"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store

    def kinds(**filters):
        return [(i["aggregate_type"], i["event_type"]) for i in everything(store, **filters)]

    assert kinds(organisation="ry6") == [("Contract", "Awarded"), ("Submission", "Submitted"),
                                         ("Organisation", "Registered")]
    assert kinds(organisation=["RYX", "QWO"]) == [
        ("Contract", "Awarded"), ("Submission", "Submitted"), ("Organisation", "Registered"),
        ("Organisation", "Registered")]
    assert kinds(actor="user@QWO") == [("Contract", "Awarded")]
    assert kinds(period="2019-01") == [("Submission", "Submitted")]
    assert len(kinds(aggregate_type="Indicator")) == 3
    assert kinds(recorded_from=between) == [("Contract", "Awarded"), ("Submission", "Submitted")]
    assert kinds(recorded_to=between, aggregate_type="Submission") == [
        ("Submission", "Submitted")]
    assert kinds(recorded_to=datetime.now(UTC).date()) == kinds()
    assert kinds(organisation="RY6", event_type="Submitted", period="2019-01") == []


# Each filter alone, and the index each part of a page of it is read from in log order
# (an organisation's page has two parts: the events filed in their own row, and those
# filed in the link table).
FILTER_INDEXES = [({"event_type": "Submitted"}, [None]),
                  ({"event_type": "Submission.Restated"}, ["audit_events_type"]),
                  ({"aggregate_type": "Contract"}, ["audit_events_aggregate_type"]),
                  ({"aggregate_type": "Submission"}, [None]),
                  ({"actor": "user@RY6"}, ["audit_events_actor"]),
                  ({"period": "2019-01"}, ["audit_events_period"]),
                  ({"organisation": "RY6"}, ["audit_events_organisation",
                                             "audit_organisations_code"]),
                  ({"recorded_from": datetime(2026, 1, 1, tzinfo=UTC)}, [None]),
                  ({"as_of": datetime(2026, 1, 1, tzinfo=UTC)}, [None])]


@pytest.fixture(params=[False, True], ids=["caught-up", "rebuilt"])
def indexed(seeded, request):
    """The store of a registry with a submission, its audit index caught up or rebuilt
    (a rebuild creates the indexes after the rows)."""
    seeded.submit(wic(), provider_of("RY6"))
    seeded.read_side.rebuild("audit") if request.param else seeded.read_side.catch_up()
    return seeded.read_side.store


def _plan(store, where: list[str], params: list) -> tuple[list[str], list[str]]:
    """The plan of a part of a page (SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN
    with sorts and sequential scans priced out, as at scale), and its sorts."""
    with store.reading() as cursor:
        if store.engine == "postgres":
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = [r["QUERY PLAN"] for r in cursor.execute(
                "EXPLAIN " + page_query(where), (*params, 51)).fetchall()]
            return plan, [line for line in plan if "Sort" in line]
        plan = [r["detail"] for r in cursor.execute(
            "EXPLAIN QUERY PLAN " + page_query(where), (*params, 51)).fetchall()]
        return plan, [line for line in plan if "TEMP B-TREE" in line]


def test_a_page_of_any_one_filter_is_read_in_log_order_not_sorted(indexed):
    """Each part of a page reads the filter's own index, in log order: no sort of every
    event of, say, a type, to show the newest fifty. (Two parts' pages are merged by a
    sort of at most twice a page.)"""
    store = indexed
    for filters, indexes in FILTER_INDEXES:
        found = parts(**filters)
        assert len(found) == len(indexes), filters
        for (where, params), index in zip(found, indexes, strict=True):
            plan, sorted_ = _plan(store, where, params)
            assert sorted_ == [], (filters, plan)
            assert index is None or any(index in line for line in plan), (filters, plan)


OTHER_FILTERS = [{"event_type": "Submitted"}, {"event_type": "Submission.Restated"},
                 {"aggregate_type": "Contract"}, {"actor": "user@RY6"}, {"period": "2019-01"},
                 {"recorded_from": datetime(2026, 1, 1, tzinfo=UTC)},
                 {"as_of": datetime(2026, 1, 1, tzinfo=UTC)}, {"after": 10 ** 9}]


def test_an_organisations_page_with_another_filter_reads_only_its_own_filings(indexed):
    """With any other filter, an organisation's page reads the organisation's own index
    (its cursor seeking in it) and its link-table filings, and checks the other filter
    on the rows they give: never a walk of, say, every submission's type entry."""
    store = indexed
    others = [f"audit_events_{name}" for name in ("recorded", "actor", "type", "period",
                                                  "aggregate", "aggregate_type")]
    for filters in OTHER_FILTERS:
        own, shared = parts(organisation="RY6", **filters)
        for (where, params), index in ((own, "audit_events_organisation"),
                                       (shared, "audit_organisations_code")):
            plan, sorted_ = _plan(store, where, params)
            assert sorted_ == [], (filters, plan)
            assert any(index in line for line in plan), (filters, plan)
            assert not [line for line in plan if any(f"{name} " in line or
                                                     line.endswith(name) for name in others)
                        ], (filters, plan)
        if "after" in filters:  # the cursor is a bound of the index's scan, not a filter
            plan, _ = _plan(store, *own)
            seeks = [line for line in plan if "audit_events_organisation (" in line
                     or "Index Cond" in line]
            assert any("position<" in line or '"position" <' in line for line in seeks), plan


def test_as_of_leaves_out_what_was_recorded_later(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    before = datetime.now(UTC)
    seeded.withdraw({k: v for k, v in wic().items() if k not in ("numerator", "denominator")},
                    provider_of("RY6", "wrong service"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store
    assert [i["event_type"] for i in everything(store, organisation="RY6")][:1] == ["Withdrawn"]
    then = everything(store, organisation="RY6", as_of=before)
    assert [i["event_type"] for i in then] == ["Submitted", "Registered"]


def test_pages_follow_a_cursor_without_repeats_or_gaps_even_as_events_arrive(seeded):
    for month in range(1, 8):
        seeded.submit(wic(period=f"2018-{month:02d}"), provider_of("RY6"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store
    expected = positions(seeded)[::-1]
    first = audit_events(store, limit=4)
    assert len(first["items"]) == 4 and first["next"] == first["items"][-1]["position"]
    seeded.submit(wic(period="2018-08"), provider_of("RY6"))
    seeded.read_side.catch_up()
    seen, page = [i["position"] for i in first["items"]], first
    while page["next"] is not None:
        page = audit_events(store, after=page["next"], limit=4)
        seen += [i["position"] for i in page["items"]]
    assert seen == expected
    filtered = audit_events(store, organisation="RY6", event_type="Submitted", limit=3)
    walked = [i["period"] for i in filtered["items"]]
    while filtered["next"] is not None:
        filtered = audit_events(store, organisation="RY6", event_type="Submitted",
                                after=filtered["next"], limit=3)
        walked += [i["period"] for i in filtered["items"]]
    assert walked == [f"2018-{m:02d}" for m in range(8, 0, -1)]
    with pytest.raises(ValueError):
        audit_events(store, limit=0)


def test_an_organisations_page_merges_its_own_events_and_those_it_shares(seeded):
    """A submission is filed under its provider in its own row; a contract or a merger,
    concerning several organisations, in the link table. A page of a lineage reads both,
    newest first, each event once, and a cursor walks it without repeats or gaps."""
    for month in range(1, 4):
        seeded.submit(wic(provider="RYX", period=f"2018-{month:02d}"), provider_of("RYX"))
    seeded.award_contract({"reference": "C1", "commissioner": "QWO", "provider": "RYX",
                           "service_lines": "district_nursing", "annual_value": "1",
                           "total_value": "3", "start": "2022-07-01", "end": "2025-06-30",
                           "route": "direct_award"}, ADMIN)
    seeded.merge_organisation({"code": "RYX", "successor": "RY6", "effective": "2019-04-01"},
                              ADMIN.because("merger"))
    for month in range(4, 6):
        seeded.submit(wic(period=f"2019-{month:02d}"), provider_of("RY6"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store
    everyone = everything(store)
    expected = [i["position"] for i in everyone if {"RY6", "RYX"} & set(i["organisations"])]
    shared = [i for i in everyone if len(i["organisations"]) > 1]
    assert {i["event_type"] for i in shared} == {"Awarded", "Merged"}
    assert sorted(r["position"] for r in store.query("SELECT DISTINCT position FROM "
                                                     "audit_organisations")) == sorted(
        i["position"] for i in shared)
    for limit in (1, 2, 3, 1000):
        page = audit_events(store, organisation=["ry6", "RYX"], limit=limit)
        walked = [i["position"] for i in page["items"]]
        while page["next"] is not None:
            page = audit_events(store, organisation=["RY6", "RYX"], after=page["next"],
                                limit=limit)
            walked += [i["position"] for i in page["items"]]
        assert walked == expected, limit
    assert [i["event_type"] for i in everything(store, organisation="QWO")] == [
        "Awarded", "Registered"]
    merged = audit_event(store, next(i["position"] for i in shared
                                     if i["event_type"] == "Merged"))
    assert merged["organisations"] == ["RY6", "RYX"]


def test_an_imported_row_names_its_file_digest_and_row(seeded):
    data = (b"provider,indicator,service_line,period,numerator,denominator,value,sd,n,note\n"
            b"RY6,WIC4H,walk_in_centres,2018-01,90,100,,,,\n")
    report = import_csv(seeded, "submissions", data, "wic.csv", ADMIN)
    seeded.read_side.catch_up()
    [item] = everything(seeded.read_side.store, event_type="Submitted")
    assert item["channel"] == "import"
    assert item["source"] == {"file": "wic.csv", "sha256": report.sha256, "row": 2}


def test_a_novated_contract_is_filed_under_the_new_provider_and_rebuilds_identically(seeded):
    seeded.award_contract({"reference": "C1", "commissioner": "QWO", "provider": "RY6",
                           "service_lines": "district_nursing", "annual_value": "1",
                           "total_value": "3", "start": "2022-07-01", "end": "2025-06-30",
                           "route": "direct_award"}, ADMIN)
    seeded.novate_contract({"reference": "C1", "new_provider": "RYX",
                            "effective": "2023-01-01"}, ADMIN.because("transfer"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store
    [novated] = everything(store, event_type="Novated")
    assert novated["organisations"] == ["QWO", "RY6", "RYX"]
    incremental = seeded.read_side.checksums("audit")
    seeded.read_side.page = 2
    seeded.read_side.rebuild("audit")
    assert seeded.read_side.checksums("audit") == incremental


def test_password_hashes_and_token_digests_are_not_copied_into_the_index(seeded):
    seeded.add_user({"username": "ann", "name": "Ann", "role": "provider",
                     "organisation": "RY6", "password": "a long enough password"}, ADMIN)
    seeded.issue_token({"username": "ann", "label": "laptop"}, ADMIN)
    seeded.read_side.catch_up()
    items = everything(seeded.read_side.store, aggregate_type="User")
    assert [i["event_type"] for i in items] == ["TokenIssued", "Registered"]
    assert items[0]["data"]["digest"] == "[redacted]"
    assert items[1]["data"]["password_hash"] == "[redacted]"
    assert items[1]["data"]["username"] == "ann"


def test_open_queries_are_those_raised_and_not_yet_answered_as_known_at_any_time(seeded):
    from tests.builders import REGULATOR
    for period in ("2018-11", "2018-12"):
        seeded.submit(wic(period=period), provider_of("RY6"))
    seeded.submit(wic(provider="RYX"), provider_of("RYX"))
    first = seeded.raise_query({**_cell("RY6", "2018-11"), "question": "Why so high?"},
                               REGULATOR)
    second = seeded.raise_query({**_cell("RY6", "2018-11"), "question": "Which sites?"},
                                REGULATOR)
    third = seeded.raise_query({**_cell("RYX", "2018-12"), "question": "Denominator?"},
                               REGULATOR)
    seeded.read_side.catch_up()
    before_answers = datetime.now(UTC)
    seeded.answer_query({**_cell("RY6", "2018-11"), "query_id": first,
                         "answer": "a data entry slip"}, provider_of("RY6"))
    seeded.withdraw(_cell("RYX", "2018-12"), provider_of("RYX", "duplicate return"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store

    waiting = open_queries(store)
    assert [(q["query_id"], q["withdrawn"]) for q in waiting] == [(second, False), (third, True)]
    assert {k: waiting[0][k] for k in ("provider", "indicator", "service_line", "period",
                                       "question")} == {
        **_cell("RY6", "2018-11"), "question": "Which sites?"}
    assert waiting[0]["raised_by"] == {"user_id": "inspector@CQC", "role": "regulator"}
    assert [q["query_id"] for q in open_queries(store, as_of=before_answers)] == [
        first, second, third]
    assert [q["withdrawn"] for q in open_queries(store, as_of=before_answers)] == [False] * 3


def _cell(provider: str, period: str) -> dict:
    return {"provider": provider, "indicator": "WIC4H", "service_line": "walk_in_centres",
            "period": period}


def _rows(store, table: str) -> list[tuple]:
    return [tuple(r.values()) for r in store.query(f"SELECT * FROM {table} ORDER BY 1, 2")]


@pytest.mark.parametrize("page", [3, 1000])
def test_submissions_indexed_by_sql_are_the_rows_event_by_event_indexing_writes(seeded, page):
    from tests.builders import REGULATOR
    data = (b"provider,indicator,service_line,period,numerator,denominator,value,sd,n,note\n"
            b"RY6,WIC4H,walk_in_centres,2018-01,90,100,,,,\n"
            b"RYX,WIC4H,walk_in_centres,2018-01,80,100,,,,\n")
    import_csv(seeded, "submissions", data, "wic.csv", ADMIN)
    seeded.submit(wic(), provider_of("RY6"))
    seeded.restate(wic(numerator=50), provider_of("RY6", "duplicates removed"))
    seeded.raise_query({**_cell("RY6", "2018-12"), "question": "Why?"}, REGULATOR)
    seeded.withdraw(_cell("RYX", "2018-01"), provider_of("RYX", "duplicate return"))
    seeded.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                              ADMIN.because("merger"))
    runner = seeded.read_side
    runner.page = page
    runner.rebuild("audit")
    by_sql = {t: _rows(runner.store, t) for t in ("audit_events", "audit_organisations")}
    listed = everything(runner.store)
    assert sum(r[2] == "Submission" for r in by_sql["audit_events"]) == 6
    runner.projections["audit"].set_based = False
    runner.rebuild("audit")
    assert _rows(runner.store, "audit_events") == by_sql["audit_events"]
    assert _rows(runner.store, "audit_organisations") == by_sql["audit_organisations"]
    assert everything(runner.store) == listed


def test_a_submission_recorded_on_the_second_is_indexed_with_its_stamp(seeded, monkeypatch):
    import eventsourcing.domain
    on_the_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo",
                        lambda: on_the_second)
    seeded.submit(wic(), provider_of("RY6"))
    monkeypatch.undo()
    seeded.restate(wic(numerator=50), provider_of("RY6", "duplicates removed"))
    seeded.read_side.catch_up()
    items = everything(seeded.read_side.store, aggregate_type="Submission")
    assert [(i["event_type"], i["recorded_at"][:19], i["period"], i["organisations"])
            for i in items] == [
        ("Restated", items[0]["recorded_at"][:19], "2018-12", ["RY6"]),
        ("Submitted", "2026-01-02T03:04:05", "2018-12", ["RY6"])]
    assert items[1]["recorded_at"] == "2026-01-02T03:04:05+00:00"


def test_a_submission_whose_state_is_not_json_stops_the_rebuild_at_that_event(seeded):
    """The audit's SQL fails on the whole range; tried event by event, the failure names
    the submission whose stored state does not parse (its stored time still reads as
    usual), and the index is left just before it."""
    app = seeded
    for period in ("2018-10", "2018-11", "2018-12"):
        app.submit(wic(period=period), provider_of("RY6"))
    app.read_side.catch_up()
    spoilt = [e for e in read_events(app) if e.aggregate_type == "Submission"][1]
    store = app.read_side.store
    state = bytes(spoilt.notification.state)
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?",
        (state[:-2] + b"{{", spoilt.position))
    with pytest.raises(ProjectionFailed, match=f"at event {spoilt.position} "
                                               r"\(Submission.Submitted\)"):
        app.read_side.rebuild("audit")
    assert app.read_side.position("audit") == spoilt.position - 1
    assert {r["position"] for r in store.query("SELECT position FROM audit_events")} == \
        set(range(1, spoilt.position))
