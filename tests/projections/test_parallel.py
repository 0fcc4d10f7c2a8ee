"""On PostgreSQL, audit, benchmarks and SPC read a range's stored states by a parallel
plan (``projections.parallel``): each state parsed in the worker that reads it. The rows
are checked by the read models' own tests; these check the plan and the table."""

import pytest

from projections import audit, fact_filing, parallel
from tests.builders import provider_of, seed, wic

READS = {"audit": audit.SUBMISSIONS["postgres"][0],
         "facts": fact_filing.PARALLEL["postgres"][0]}


def _postgres(app):
    """The store of a registry with a few submissions, its read models caught up (the
    facts' table of periods is filled by their first filing)."""
    store = app.read_side.store
    if store.engine != "postgres":
        pytest.skip("SQLite reads on one core: no parallel plan")
    seed(app)
    for period in ("2018-11", "2018-12"):
        app.submit(wic(period=period), provider_of("RY6"))
    app.read_side.catch_up()
    return store


def _fill(store, select: str) -> tuple[str, tuple]:
    submissions, params = store.of_aggregates(("Submission",), "e.topic")
    return (select.format(events=store.events_table, position=store.events_position,
                          submissions=submissions, table="bench"),
            (0, 10 ** 9, *params))


@pytest.mark.parametrize("read", sorted(READS))
def test_each_state_is_parsed_below_the_gather(app, read):
    store = _postgres(app)
    # The planner keeps a few rows to one process: copies of a stored submission, as
    # many as a range of a national-scale log holds, under new aggregate ids.
    with store.applying() as cursor:
        cursor.execute(f"INSERT INTO {store.events_table} (originator_id, originator_version, "
                       "topic, state) SELECT gen_random_uuid(), 1, e.topic, e.state FROM "
                       f"{store.events_table} e CROSS JOIN generate_series(1, 20000) WHERE "
                       f"e.{store.events_position} = (SELECT MIN({store.events_position}) "
                       f"FROM {store.events_table} WHERE topic LIKE '%:Submission.Submitted')")
    with store.applying() as cursor:
        cursor.execute(f"ANALYZE {store.events_table}")
    select, params = _fill(store, READS[read])
    with store.reading() as cursor:
        lines = parallel.plan(cursor, "parsed", select, params)
    nodes = [(i, len(line) - len(line.lstrip(" ->")), line.strip(" ->"))
             for i, line in enumerate(lines) if not line.lstrip().startswith(
                 ("Output:", "Filter:", "Index Cond:", "Recheck Cond:", "Workers",
                  "Inner Unique", "Join Filter", "Hash Cond", "Sort Key"))]
    gathers = [(i, depth) for i, depth, name in nodes if name.startswith("Gather")]
    # The states are parsed where the set-returning unnest(ARRAY[...]) is evaluated: the
    # ProjectSet node. It must run in the workers, below the one Gather.
    parsing = [(i, depth) for i, depth, name in nodes if name.startswith("ProjectSet")]
    assert len(gathers) == 1 and parsing, "\n".join(lines)
    assert all(i > gathers[0][0] and depth > gathers[0][1] for i, depth in parsing), \
        "\n".join(lines)


def test_the_parallel_read_leaves_its_rows_in_a_table_dropped_at_commit(app):
    store = _postgres(app)
    select, params = _fill(store, READS["facts"])
    with store.applying() as cursor:
        parallel.read_in_parallel(cursor, "bench_parsed", select, params)
        rows = cursor.execute("SELECT period, numerator FROM bench_parsed "
                              "ORDER BY period").fetchall()
        # A second read in the same transaction replaces the first.
        parallel.read_in_parallel(cursor, "bench_parsed", select, params)
        again = cursor.execute("SELECT COUNT(*) AS n FROM bench_parsed").fetchone()
        settings = cursor.execute("SELECT current_setting('parallel_setup_cost') AS cost"
                                  ).fetchone()
    assert [(r["period"], int(r["numerator"])) for r in rows] == [
        ("2018-11", wic()["numerator"]), ("2018-12", wic()["numerator"])]
    assert again["n"] == 2
    assert settings["cost"] != "0", "the planner's costs are reset after the read"
    with store.reading() as cursor:
        left = cursor.execute("SELECT COUNT(*) AS n FROM pg_tables WHERE "
                              "tablename = 'bench_parsed' AND schemaname LIKE 'pg_temp%'"
                              ).fetchone()
    assert left["n"] == 0
