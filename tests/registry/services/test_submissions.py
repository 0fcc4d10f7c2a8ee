from datetime import date

import pytest

from registry.errors import (AlreadyExists, Conflict, InvalidInput, NotFound, PermissionDenied,
                             RuleViolation)
from tests.builders import ADMIN, REGULATOR, event_count, provider_of, seed, wic


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def test_a_provider_submits_for_its_own_organisation(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    stored = seeded.get_submission("RY6", "WIC4H", "walk_in_centres", "2018-12")
    assert stored["values"] == {"numerator": 90, "denominator": 100}
    with pytest.raises(PermissionDenied, match="own organisation"):
        seeded.submit(wic(provider="RYX"), provider_of("RY6"))


def test_a_second_first_submission_for_the_same_cell_is_impossible(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    with pytest.raises(AlreadyExists, match="restate"):
        seeded.submit(wic(numerator=91), provider_of("RY6"))


@pytest.mark.parametrize("change, field", [
    ({"numerator": 101}, "numerator"),
    ({"period": "2018-Q4"}, "period"),
    ({"service_line": "podiatry"}, "service_line"),
    ({"indicator": "NOPE"}, "indicator"),
    ({"provider": "ZZZ99"}, "provider"),
    ({"provider": "QWO"}, "provider"),
    ({"value": "90"}, "value"),
])
def test_invalid_submissions_name_the_field_and_store_nothing(seeded, change, field):
    before = event_count(seeded)
    with pytest.raises((InvalidInput, NotFound, RuleViolation)) as refused:
        seeded.submit(wic(**change), ADMIN)
    error = refused.value
    assert field in (error.errors if isinstance(error, InvalidInput) else {error.field: 1})
    assert event_count(seeded) == before


def test_a_retired_indicator_or_a_closed_provider_refuses_later_periods(seeded):
    seeded.retire_indicator({"code": "WIC4H", "last_period": "2018-12"},
                            ADMIN.because("replaced"))
    seeded.submit(wic(period="2018-12"), ADMIN)
    with pytest.raises(InvalidInput, match="retired after 2018-12"):
        seeded.submit(wic(period="2019-01"), ADMIN)
    seeded.close_organisation({"code": "RYX", "effective": "2018-06-01"}, ADMIN)
    seeded.define_indicator({**_pu(), "code": "PU2"}, ADMIN)
    with pytest.raises(RuleViolation, match="RYX was not open during 2018-Q3"):
        seeded.submit({"provider": "RYX", "indicator": "PU2", "service_line":
                       "district_nursing", "period": "2018-Q3", "numerator": 3,
                       "denominator": 1000}, ADMIN)


def _pu():
    from tests.builders import INDICATORS
    return dict(INDICATORS[1])


def test_a_restatement_needs_a_reason_and_new_values(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    with pytest.raises(InvalidInput, match="reason"):
        seeded.restate(wic(numerator=80), provider_of("RY6"))
    with pytest.raises(RuleViolation, match="identical"):
        seeded.restate(wic(), provider_of("RY6", "no change really"))
    seeded.restate(wic(numerator=80), provider_of("RY6", "duplicates removed"))
    stored = seeded.get_submission("RY6", "WIC4H", "walk_in_centres", "2018-12")
    assert stored["values"]["numerator"] == 80 and stored["restatements"] == 1
    assert stored["version"] == 2


def test_a_withdrawn_submission_cannot_be_restated(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    cell = {k: v for k, v in wic().items() if k not in ("numerator", "denominator")}
    seeded.withdraw(cell, provider_of("RY6", "submitted against the wrong service"))
    with pytest.raises(RuleViolation, match="withdrawn"):
        seeded.restate(wic(numerator=1), provider_of("RY6", "fix"))


def test_regulators_raise_queries_and_providers_answer_them(seeded):
    seeded.submit(wic(), provider_of("RY6"))
    cell = {k: v for k, v in wic().items() if k not in ("numerator", "denominator")}
    query_id = seeded.raise_query({**cell, "question": "Denominator fell by half?"}, REGULATOR)
    with pytest.raises(PermissionDenied):
        seeded.raise_query({**cell, "question": "?"}, provider_of("RY6"))
    seeded.answer_query({**cell, "query_id": query_id, "answer": "A site closed"},
                        provider_of("RY6"))
    stored = seeded.get_submission(*cell.values())
    assert stored["queries"][query_id] == {"question": "Denominator fell by half?",
                                           "answer": "A site closed"}


def test_received_on_is_kept_apart_from_recorded_time(seeded):
    seeded.submit(wic(received_on="2019-03-02"), provider_of("RY6"))
    stored = seeded.get_submission("RY6", "WIC4H", "walk_in_centres", "2018-12")
    assert stored["received_on"] == date(2019, 3, 2)
    assert stored["created_on"].date() > date(2019, 3, 2)


def test_a_stale_copy_saved_after_another_change_is_a_conflict(seeded, settings):
    from config.storage import open_registry
    from registry.identity import submission_id

    seeded.submit(wic(), provider_of("RY6"))
    other = open_registry(settings)
    stale = other.repository.get(submission_id("RY6", "WIC4H", "walk_in_centres", "2018-12"))
    seeded.restate(wic(numerator=70), provider_of("RY6", "first"))
    stale.restate({"numerator": 60, "denominator": 100}, None, date(2019, 1, 5),
                  provider_of("RY6", "second").as_dict())
    from registry.services.changes import Changes
    changes = Changes(other)
    changes.add(stale)
    with pytest.raises(Conflict, match="reload and try again"):
        changes.save()
    other.close()
