"""Two processes starting at once on a new database both create the read models' tables."""

import threading

from projections import all_projections
from projections.engine import Runner
from projections.store import ReadStore


def test_runners_creating_the_tables_at_the_same_moment_both_succeed(app):
    stores = [ReadStore(app) for _ in range(3)]
    runners = [Runner(app, store, all_projections()) for store in stores]
    start, failures = threading.Barrier(len(runners)), []

    def create(runner):
        start.wait()
        try:
            runner.ensure_tables()
        except Exception as error:  # collected: the assertion below names it
            failures.append(error)

    threads = [threading.Thread(target=create, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert failures == []
    assert {row["name"] for row in app.read_side.status()} == {
        p.name for p in all_projections()}
