from decimal import Decimal

import pytest

from registry.errors import InvalidInput, PermissionDenied, RuleViolation
from tests.builders import ADMIN, commissioner_of, seed

AWARD = {"reference": "QWO-DN-2022", "commissioner": "QWO", "provider": "RY6",
         "service_lines": ["district_nursing", "podiatry"], "annual_value": "1200000.00",
         "total_value": "3600000.00", "start": "2022-07-01", "end": "2025-06-30",
         "route": "competitive_tender"}


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def test_a_commissioner_awards_and_varies_its_own_contract(seeded):
    seeded.award_contract(AWARD, commissioner_of("QWO"))
    seeded.vary_contract({"reference": "QWO-DN-2022", "effective": "2023-04-01",
                          "annual_value": "1300000"}, commissioner_of("QWO", "uplift"))
    assert seeded.get_contract("QWO-DN-2022")["annual_value"] == Decimal("1300000")
    with pytest.raises(PermissionDenied):
        seeded.vary_contract({"reference": "QWO-DN-2022", "effective": "2023-04-01",
                              "annual_value": "1"}, commissioner_of("QOP", "not ours"))


def test_a_contract_awarded_by_a_provider_is_refused(seeded):
    with pytest.raises(RuleViolation, match="not a commissioner"):
        seeded.award_contract({**AWARD, "commissioner": "RY2", "provider": "RY6"}, ADMIN)


def test_a_contract_ending_before_it_starts_is_refused(seeded):
    with pytest.raises(InvalidInput, match="end"):
        seeded.award_contract({**AWARD, "end": "2021-01-01"}, ADMIN)


def test_a_terminated_contract_cannot_be_varied(seeded):
    seeded.award_contract(AWARD, ADMIN)
    seeded.terminate_contract({"reference": "QWO-DN-2022", "effective": "2024-03-31"},
                              ADMIN.because("provider exit"))
    with pytest.raises(RuleViolation, match="terminated"):
        seeded.vary_contract({"reference": "QWO-DN-2022", "effective": "2024-04-01",
                              "annual_value": "1"}, ADMIN.because("late"))


def test_novation_moves_the_contract_to_another_open_provider(seeded):
    seeded.award_contract(AWARD, ADMIN)
    with pytest.raises(RuleViolation, match="not an open provider"):
        seeded.novate_contract({"reference": "QWO-DN-2022", "new_provider": "QWO",
                                "effective": "2023-01-01"}, ADMIN.because("merger"))
    seeded.novate_contract({"reference": "QWO-DN-2022", "new_provider": "RY2",
                            "effective": "2023-01-01"}, ADMIN.because("merger"))
    assert seeded.get_contract("QWO-DN-2022")["provider"] == "RY2"


def test_a_renewal_is_reviewed_then_decided(seeded):
    seeded.award_contract(AWARD, ADMIN)
    seeded.open_renewal_review({"reference": "QWO-DN-2022", "due_by": "2024-12-31"}, ADMIN)
    seeded.decide_renewal({"reference": "QWO-DN-2022", "decision": "renew"},
                          ADMIN.because("performance in top quartile"))
    assert seeded.get_contract("QWO-DN-2022")["renewal_decision"] == "renew"
