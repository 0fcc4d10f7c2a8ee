"""Loading many stored aggregates at once gives what loading each gives, and an import asks
the store for its providers and indicators once per file, not once each."""

from uuid import uuid4

import pytest

from registry.identity import indicator_id, organisation_id
from registry.imports import import_csv
from registry.imports.reader import ImportRejected
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


def _rows(periods, providers=("RY6", "RYX")) -> bytes:
    lines = ["provider,indicator,service_line,period,numerator,denominator,value,sd,n,note"]
    lines += [f"{code},WIC4H,walk_in_centres,{period},90,100,,,,"
              for period in periods for code in providers]
    return ("\n".join(lines) + "\n").encode()


def test_the_next_file_reads_again_only_the_providers_and_indicators_that_changed(
        app, monkeypatch):
    """The application keeps the aggregates an import read, at their version: a file that
    names them again does not load them, unless something was stored for them since."""
    seed(app)
    loaded = []
    stored_events_of = app.recorder.stored_events_of
    monkeypatch.setattr(app.recorder, "stored_events_of",
                        lambda ids: loaded.extend(ids) or stored_events_of(ids))
    ry6, ryx, wic4h = organisation_id("RY6"), organisation_id("RYX"), indicator_id("WIC4H")
    import_csv(app, "submissions", _rows(["2018-01"]), "jan.csv", ADMIN)
    assert {ry6, ryx, wic4h} <= set(loaded)
    loaded.clear()
    import_csv(app, "submissions", _rows(["2018-02"]), "feb.csv", ADMIN)
    assert not {ry6, ryx, wic4h} & set(loaded)
    # RYX closes: the next file reads it again, and refuses its rows after the closure
    app.close_organisation({"code": "RYX", "effective": "2018-03-01"}, ADMIN)
    with pytest.raises(ImportRejected) as refused:
        import_csv(app, "submissions", _rows(["2018-04"]), "apr.csv", ADMIN)
    assert "RYX was not open during 2018-04" in str(refused.value.errors[0])
    assert ryx in loaded and ry6 not in loaded
    assert import_csv(app, "submissions", _rows(["2018-04"], ("RY6",)), "apr.csv",
                      ADMIN).events == 1


def test_a_kept_aggregate_is_given_as_a_copy_a_command_may_change(app):
    seed(app)
    wic4h = indicator_id("WIC4H")
    first = Changes(app)
    first.prefetch_stored([wic4h])
    mine = first.aggregates[wic4h]
    mine.service_lines.append("district_nursing")
    mine.revisions.append({"effective_period": "2019-01", "changes": {}})
    mine.code = "CHANGED"
    second = Changes(app)
    second.prefetch_stored([wic4h])
    theirs, stored = second.aggregates[wic4h], app.repository.get(wic4h)
    assert theirs is not mine and vars(theirs) == vars(stored)
    assert theirs.service_lines is not mine.service_lines
    assert theirs._pending_events is not mine._pending_events
