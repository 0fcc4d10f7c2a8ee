from uuid import UUID

import pytest

from registry.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from tests.builders import ADMIN, ORGANISATIONS, event_count, provider_of


def test_registering_an_organisation_records_who_how_and_when(app):
    app.register_organisation(ORGANISATIONS[0], ADMIN)
    org = app.get_organisation("ry6")
    assert org["name"] == "Leeds Community Healthcare NHS Trust" and org["kind"] == "nhs_trust"
    event = next(iter(app.events.get(UUID(org["id"]))))
    assert event.provenance == {"actor": {"user_id": "admin.user", "organisation": "REGISTRY",
                                          "role": "admin"}, "channel": "cli"}
    assert event.timestamp.utcoffset().total_seconds() == 0


def test_a_second_registration_of_a_code_is_refused(app):
    app.register_organisation(ORGANISATIONS[0], ADMIN)
    with pytest.raises(AlreadyExists, match="RY6 is already registered"):
        app.register_organisation(ORGANISATIONS[0], ADMIN)
    assert event_count(app) == 1


def test_bad_input_names_every_bad_field_and_stores_nothing(app):
    with pytest.raises(InvalidInput) as refused:
        app.register_organisation({"code": "R Y6!", "kind": "hospital", "opened": "2011-02-30",
                                   "colour": "red"}, ADMIN)
    assert set(refused.value.errors) == {"code", "name", "kind", "opened", "colour"}
    assert event_count(app) == 0


def test_only_admins_register_organisations(app):
    with pytest.raises(PermissionDenied):
        app.register_organisation(ORGANISATIONS[0], provider_of("RY6"))


def test_a_merger_closes_the_predecessor_atomically(app):
    for org in ORGANISATIONS[:3]:
        app.register_organisation(org, ADMIN)
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger approved"))
    assert app.get_organisation("RYX")["merged_into"] == "RY2"
    assert str(app.get_organisation("RYX")["closed"]) == "2019-04-01"
    with pytest.raises(NotFound, match="XYZ"):
        app.merge_organisation({"code": "RY6", "successor": "XYZ", "effective": "2019-04-01"},
                               ADMIN)
