from datetime import date
from decimal import Decimal

import pytest

from registry.contract import Contract, ContractError

P = {"actor": {"user_id": "u", "organisation": "QWO", "role": "commissioner"}, "channel": "web"}


def contract():
    return Contract(reference="QWO-DN-2019", commissioner="QWO", provider="RY6",
                    service_lines=["district_nursing"], annual_value=Decimal("1000000"),
                    total_value=Decimal("3000000"), start=date(2019, 4, 1),
                    end=date(2022, 3, 31), route="competitive_tender", provenance=P)


def test_a_contract_cannot_end_before_it_starts():
    with pytest.raises(ContractError, match="ends"):
        Contract.check_term(date(2020, 1, 1), date(2019, 1, 1))


def test_a_terminated_contract_cannot_be_varied_extended_or_novated():
    c = contract()
    c.terminate(date(2020, 3, 31), P)
    with pytest.raises(ContractError, match="terminated"):
        c.vary({"annual_value": Decimal("1")}, date(2020, 4, 1), P)
    with pytest.raises(ContractError, match="terminated"):
        c.extend(date(2023, 3, 31), Decimal("0"), P)
    with pytest.raises(ContractError, match="terminated"):
        c.novate("RY2", date(2020, 4, 1), P)


def test_an_extension_moves_the_end_and_adds_value():
    c = contract()
    c.extend(date(2023, 3, 31), Decimal("1000000"), P)
    assert c.end == date(2023, 3, 31) and c.total_value == Decimal("4000000")
    with pytest.raises(ContractError, match="not after"):
        c.extend(date(2023, 3, 31), Decimal("0"), P)


def test_a_variation_must_fall_within_the_term_and_change_something():
    c = contract()
    with pytest.raises(ContractError, match="outside the contract term"):
        c.vary({"annual_value": Decimal("2")}, date(2030, 1, 1), P)
    with pytest.raises(ContractError, match="changes nothing"):
        c.vary({"annual_value": Decimal("1000000")}, date(2020, 1, 1), P)
    with pytest.raises(ContractError, match="cannot vary"):
        c.vary({"provider": "RY2"}, date(2020, 1, 1), P)


def test_novation_names_the_new_provider():
    c = contract()
    c.novate("RY2", date(2020, 1, 1), P)
    assert c.provider == "RY2" and c.pending_events[-1].previous_provider == "RY6"
    with pytest.raises(ContractError, match="already holds"):
        c.novate("RY2", date(2020, 2, 1), P)


def test_a_renewal_decision_needs_an_open_review():
    c = contract()
    with pytest.raises(ContractError, match="open a renewal review"):
        c.decide_renewal("renew", P)
    c.open_renewal_review(date(2021, 9, 30), P)
    with pytest.raises(ContractError, match="already open"):
        c.open_renewal_review(None, P)
    c.decide_renewal("re_tender", P)
    assert c.renewal_decision == "re_tender" and not c.review_open
