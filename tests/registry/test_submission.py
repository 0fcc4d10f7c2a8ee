from datetime import date

import pytest

from registry.submission import Submission, SubmissionError

P = {"actor": {"user_id": "u", "organisation": "RY6", "role": "provider"}, "channel": "api"}


def submission(values=None):
    return Submission(provider="RY6", indicator="WIC4H", service_line="walk_in_centres",
                      period="2018-12", measure="proportion",
                      values=values or {"numerator": 90, "denominator": 100}, note=None,
                      received_on=date(2019, 1, 10), provenance=P)


def test_one_cell_has_one_deterministic_id():
    assert submission().id == Submission.create_id("RY6", "WIC4H", "walk_in_centres", "2018-12")
    assert submission().id != Submission.create_id("RY6", "WIC4H", "walk_in_centres", "2019-01")


def test_a_restatement_keeps_the_previous_values_in_its_event():
    s = submission()
    s.restate({"numerator": 91, "denominator": 100}, "fixed", date(2019, 2, 1), P)
    event = s.pending_events[-1]
    assert event.previous_values == {"numerator": 90, "denominator": 100}
    assert s.values == {"numerator": 91, "denominator": 100} and s.restatements == 1


def test_a_restatement_with_identical_values_is_refused():
    with pytest.raises(SubmissionError, match="identical"):
        submission().restate({"numerator": 90, "denominator": 100}, None, date(2019, 2, 1), P)


def test_a_withdrawn_submission_cannot_be_restated_or_withdrawn_again():
    s = submission()
    s.withdraw(P)
    with pytest.raises(SubmissionError, match="withdrawn and cannot be restated"):
        s.restate({"numerator": 1, "denominator": 100}, None, date(2019, 2, 1), P)
    with pytest.raises(SubmissionError, match="already withdrawn"):
        s.withdraw(P)


def test_a_query_is_answered_once():
    s = submission()
    s.raise_query("q1", "Why did the denominator halve?", P)
    assert s.open_queries == ["q1"]
    s.answer_query("q1", "A site closed.", P)
    assert s.open_queries == []
    with pytest.raises(SubmissionError, match="already answered"):
        s.answer_query("q1", "Again", P)
    with pytest.raises(SubmissionError, match="no query q2"):
        s.answer_query("q2", "?", P)
