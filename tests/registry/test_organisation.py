from datetime import date

import pytest

from registry.organisation import Organisation, OrganisationError

P = {"actor": {"user_id": "u", "organisation": "REGISTRY", "role": "admin"}, "channel": "cli"}


def trust(code="RY6", kind="nhs_trust", opened=date(2011, 4, 1)):
    return Organisation(code=code, name=f"Trust {code}", kind=kind, region="Y54",
                        opened=opened, provenance=P)


def test_the_same_ods_code_always_gives_the_same_aggregate_id():
    assert trust("RY6").id == trust("RY6").id != trust("RYX").id


def test_a_rename_to_the_current_name_is_refused():
    org = trust()
    with pytest.raises(OrganisationError, match="already named"):
        org.rename(org.name, date(2020, 1, 1), P)


def test_a_closed_organisation_cannot_be_renamed_or_closed_again():
    org = trust()
    org.close(date(2018, 4, 1), P)
    with pytest.raises(OrganisationError, match="closed on 2018-04-01"):
        org.rename("New name", date(2019, 1, 1), P)
    with pytest.raises(OrganisationError):
        org.close(date(2019, 1, 1), P)


def test_closing_before_opening_is_refused():
    with pytest.raises(OrganisationError, match="before RY6 opened"):
        trust().close(date(2010, 1, 1), P)


def test_merging_closes_the_predecessor_and_names_the_successor():
    org, successor = trust("RW3"), trust("R0A", opened=None)
    org.merge_into(successor, date(2017, 10, 1), P)
    assert org.merged_into == "R0A" and org.closed == date(2017, 10, 1)
    assert not org.is_open_during(date(2017, 10, 1), date(2017, 10, 31))
    assert org.is_open_during(date(2017, 9, 1), date(2017, 9, 30))


def test_an_organisation_cannot_merge_into_itself_or_a_closed_one():
    org = trust()
    with pytest.raises(OrganisationError, match="itself"):
        org.merge_into(trust(), date(2017, 1, 1), P)
    closed = trust("RYX")
    closed.close(date(2016, 1, 1), P)
    with pytest.raises(OrganisationError, match="successor RYX closed"):
        org.merge_into(closed, date(2017, 1, 1), P)


def test_services_can_only_move_to_another_open_provider():
    org = trust("RY1")
    with pytest.raises(OrganisationError, match="not an open provider"):
        org.transfer_services(trust("QWO", kind="icb"), ["district_nursing"],
                              date(2017, 4, 1), P)
    org.transfer_services(trust("RW4", kind="mental_health_trust"), ["district_nursing"],
                          date(2017, 4, 1), P)
    assert org.transfers == [{"recipient": "RW4", "service_lines": ["district_nursing"],
                              "effective": date(2017, 4, 1)}]


def test_changing_to_the_same_kind_is_refused():
    with pytest.raises(OrganisationError, match="already of kind"):
        trust().change_kind("nhs_trust", date(2020, 1, 1), P)


def test_a_correction_must_change_something_correctable():
    org = trust()
    with pytest.raises(OrganisationError, match="changes nothing"):
        org.correct({"name": org.name}, P)
    with pytest.raises(OrganisationError, match="cannot correct code"):
        org.correct({"code": "XXX"}, P)
    org.correct({"region": "Y56"}, P)
    assert org.region == "Y56"
