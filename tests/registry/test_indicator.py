import pytest

from registry.indicator import Indicator, IndicatorError

P = {"actor": {"user_id": "u", "organisation": "REGISTRY", "role": "admin"}, "channel": "cli"}


def indicator(frequency="monthly"):
    return Indicator(code="WIC4H", name="4 hours", domain="performance", subdomain=None,
                     service_lines=["walk_in_centres"], measure="proportion", unit="%",
                     multiplier=None, polarity="higher", frequency=frequency, target=None,
                     provenance=P)


def test_a_revision_takes_effect_from_a_period_and_is_kept():
    ind = indicator()
    ind.revise({"target": "95", "name": "4 hours"}, "2018-04", P)
    assert ind.target == "95"
    assert ind.revisions == [{"effective_period": "2018-04", "changes": {"target": "95"}}]


def test_a_revision_cannot_change_the_measure_or_change_nothing():
    with pytest.raises(IndicatorError, match="define a new indicator"):
        indicator().revise({"measure": "rate"}, "2018-04", P)
    with pytest.raises(IndicatorError, match="changes nothing"):
        indicator().revise({"polarity": "higher"}, "2018-04", P)


def test_a_revision_period_must_match_the_frequency():
    with pytest.raises(IndicatorError, match="must be monthly"):
        indicator().revise({"target": "90"}, "2018-Q1", P)


def test_a_retired_indicator_accepts_only_periods_up_to_its_last():
    ind = indicator()
    ind.retire("2018-12", P)
    assert ind.accepts("2018-12") and not ind.accepts("2019-01")
    with pytest.raises(IndicatorError, match="retired"):
        ind.retire(None, P)
    with pytest.raises(IndicatorError, match="retired"):
        ind.revise({"target": "1"}, "2019-01", P)


def test_an_indicator_retired_without_a_last_period_accepts_nothing():
    ind = indicator()
    ind.retire(None, P)
    assert not ind.accepts("2010-01")
