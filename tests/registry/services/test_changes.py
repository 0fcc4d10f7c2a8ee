"""Loading many stored aggregates at once gives what loading each gives, and an import asks
the store for its providers and indicators once per file, not once each."""

from uuid import uuid4

from registry.identity import indicator_id, organisation_id
from registry.imports import import_csv
from registry.services.changes import Changes
from tests.builders import ADMIN, seed
from tests.web.conftest import wic_csv


def test_prefetched_aggregates_are_those_the_repository_loads(app):
    seed(app)
    app.rename_organisation({"code": "RY6", "name": "Leeds Community NHS Trust",
                             "effective": "2020-01-01"}, ADMIN)  # an aggregate of 2 events
    ids = [organisation_id("RY6"), organisation_id("RYX"), indicator_id("WIC4H")]
    missing = uuid4()
    changes = Changes(app)
    changes.prefetch_stored([*ids, ids[0], missing])
    assert set(changes.aggregates) == set(ids)  # nothing stored for ``missing``: left alone
    for aggregate_id in ids:
        loaded = app.repository.get(aggregate_id)
        prefetched = changes.aggregates[aggregate_id]
        assert type(prefetched) is type(loaded)
        assert prefetched.version == loaded.version and vars(prefetched) == vars(loaded)
    assert changes.aggregates[ids[0]].version == 2
    assert changes.get(missing) is None


def test_an_import_loads_its_providers_and_indicators_in_one_query(app, monkeypatch):
    seed(app)
    loaded = []
    get = app.repository.get
    monkeypatch.setattr(app.repository, "get",
                        lambda aggregate_id, **kw: loaded.append(aggregate_id) or get(
                            aggregate_id, **kw))
    report = import_csv(app, "submissions", wic_csv(), "wic-2018.csv", ADMIN)
    assert report.events > 0
    providers_and_indicators = {organisation_id(c) for c in ("RY6", "RYX", "RY2")} | {
        indicator_id("WIC4H")}
    assert not providers_and_indicators & set(loaded)
