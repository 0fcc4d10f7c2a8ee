"""Reading stored events once for several set-based statements; on PostgreSQL, on more
than one core.

Most of a set-based statement's time (audit, benchmarks, SPC) is PostgreSQL parsing
each stored state as ``jsonb``. PostgreSQL never runs the ``SELECT`` of an
``INSERT … SELECT`` in parallel, but it does run the ``SELECT`` of a
``CREATE TABLE … AS`` in parallel workers. ``read_in_parallel`` makes a temporary table
of what a statement reads (the values cut out of the states), dropped at commit, for
the statement's ``INSERT``\\ s to copy from.

The planner would not choose a parallel plan for a range of a few thousand rows: it
does not know what parsing a state costs. The setup and per-row costs of a parallel plan
are therefore set to nothing for that one statement, and reset after it.

A statement read this way must keep its parse in one place: a subquery whose select
list holds a set-returning function is never merged into the query above it, so
``unnest(ARRAY[<parsed state>])`` is evaluated once per row, in the worker that reads
the row, and the values cut out of it above do not parse it again. (``OFFSET 0``, the
usual fence, would keep the parse out of the workers: a limit cannot run in parallel.)
"""

from contextlib import contextmanager

# Only for the one statement: a parallel plan for any range, whatever its size.
_SETTINGS = ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size",
             "min_parallel_index_scan_size")


@contextmanager
def _parallel_plans(cursor):
    for setting in _SETTINGS:
        cursor.execute(f"SET LOCAL {setting} = 0")
    yield
    for setting in _SETTINGS:
        cursor.execute(f"SET LOCAL {setting} TO DEFAULT")


def read_in_parallel(cursor, table: str, select: str, params=()) -> None:
    """``CREATE TEMPORARY TABLE table ON COMMIT DROP AS select`` on PostgreSQL, with a
    parallel plan (as many workers as the server gives a query: its
    ``max_parallel_workers_per_gather``; with none free the statement runs alone). Any
    table of that name left by an earlier statement of the transaction is dropped."""
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    with _parallel_plans(cursor):
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {select}", params)


def plan(cursor, table: str, select: str, params=()) -> list[str]:
    """The plan ``read_in_parallel`` gets for the same statement (``EXPLAIN VERBOSE``),
    line by line: to check that the states are parsed below the ``Gather``."""
    with _parallel_plans(cursor):
        rows = cursor.execute("EXPLAIN (VERBOSE, COSTS OFF) CREATE TEMPORARY TABLE "
                              f"{table} ON COMMIT DROP AS {select}", params).fetchall()
    return [row["QUERY PLAN"] for row in rows]
