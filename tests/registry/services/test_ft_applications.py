import pytest

from registry.errors import InvalidInput, RuleViolation
from registry.pipelines import FT_2011
from tests.builders import ADMIN, REGULATOR, event_count, provider_of, seed


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def achieve(app, provider, upto):
    for month, code in enumerate(FT_2011.codes[: FT_2011.position(upto) + 1], start=1):
        app.achieve_milestone({"provider": provider, "milestone": code,
                               "achieved_on": f"2013-{month:02d}-15"}, provider_of(provider))


def test_authorisation_turns_the_trust_into_a_foundation_trust_atomically(seeded):
    seeded.schedule_milestone({"provider": "RY6", "milestone": "tfa",
                               "target_date": "2013-01-31"}, provider_of("RY6"))
    achieve(seeded, "RY6", "monitor_assessment")
    seeded.decide_application({"provider": "RY6", "decision": "authorised",
                               "effective": "2014-04-01"}, REGULATOR)
    assert seeded.get_organisation("RY6")["kind"] == "foundation_trust"
    assert seeded.get_ft_application("RY6")["status"] == "authorised"


def test_authorising_before_the_assessment_stores_nothing(seeded):
    achieve(seeded, "RY6", "monitor_submission")
    before = event_count(seeded)
    with pytest.raises(RuleViolation, match="not passed its assessment"):
        seeded.decide_application({"provider": "RY6", "decision": "authorised",
                                   "effective": "2014-04-01"}, REGULATOR)
    assert event_count(seeded) == before
    assert seeded.get_organisation("RY6")["kind"] == "nhs_trust"


def test_a_slip_needs_a_reason(seeded):
    seeded.schedule_milestone({"provider": "RY6", "milestone": "tfa",
                               "target_date": "2013-01-31"}, provider_of("RY6"))
    with pytest.raises(InvalidInput, match="reason"):
        seeded.slip_milestone({"provider": "RY6", "milestone": "tfa",
                               "new_target": "2013-06-30"}, provider_of("RY6"))
    seeded.slip_milestone({"provider": "RY6", "milestone": "tfa", "new_target": "2013-06-30"},
                          provider_of("RY6", "commissioner sign-off delayed"))
    stages = seeded.get_ft_application("RY6")["stages"]
    assert stages[0]["slips"] == 1


def test_a_foundation_trust_cannot_start_an_application(seeded):
    with pytest.raises(RuleViolation, match="only an open NHS trust"):
        seeded.schedule_milestone({"provider": "RY2", "milestone": "tfa",
                                   "target_date": "2013-01-31"}, ADMIN)


def test_a_deferral_needs_a_reason_and_a_submitted_application(seeded):
    achieve(seeded, "RY6", "monitor_submission")
    with pytest.raises(InvalidInput, match="reason"):
        seeded.decide_application({"provider": "RY6", "decision": "deferred",
                                   "effective": "2014-04-01"}, REGULATOR)
    seeded.decide_application({"provider": "RY6", "decision": "deferred",
                               "effective": "2014-04-01"},
                              REGULATOR.because("financial plan not yet credible"))
    assert seeded.get_ft_application("RY6")["status"] == "deferred"
