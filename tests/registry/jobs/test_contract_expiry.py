from datetime import date

import pytest

from registry.jobs import contract_expiry
from registry.jobs.contract_expiry import months_before
from tests.builders import commissioner_of, seed
from tests.registry.jobs.events import at, days, notice_events, raised_per_notice, subjects

QWO = commissioner_of("QWO")


def award(app, reference="C1", end="2025-08-31"):
    app.award_contract({"reference": reference, "commissioner": "QWO", "provider": "RY6",
                        "service_lines": "district_nursing", "annual_value": "1000000",
                        "total_value": "3000000", "start": "2022-09-01", "end": end,
                        "route": "direct_award"}, QWO)


@pytest.fixture
def awarded(app):
    seed(app)
    award(app)
    return app


def expiry(*months, end="2025-08-31", reference="C1"):
    return [("contract_expiry", "RY6", reference, str(m), end) for m in months]


def test_lead_times_are_calendar_months_clamped_to_the_month():
    assert [months_before(date(2025, 8, 31), m) for m in (12, 6, 3)] == [
        date(2024, 8, 31), date(2025, 2, 28), date(2025, 5, 31)]
    assert months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)
    assert months_before(date(2025, 3, 15), 3) == date(2024, 12, 15)


def test_a_clock_moved_across_the_end_date_records_each_lead_time_once(awarded):
    raised_on = {}
    for day in sorted({*days("2024-08-01", "2025-10-01", step=6), date(2024, 8, 31),
                       date(2025, 2, 28), date(2025, 5, 31), date(2025, 9, 1)}):
        contract_expiry(awarded, at(day))
        for event in notice_events(awarded, "Raised"):
            raised_on.setdefault(event.data["months_before"], event.data["noticed_on"])
    assert subjects(awarded) == expiry(12, 6, 3)
    assert raised_on == {12: date(2024, 8, 31), 6: date(2025, 2, 28), 3: date(2025, 5, 31)}
    assert set(raised_per_notice(awarded).values()) == {1}
    withdrawn = notice_events(awarded, "Withdrawn")
    assert [(e.data["because"], e.data["noticed_on"]) for e in withdrawn] == [
        ("ended", date(2025, 9, 1))] * 3
    assert withdrawn[0].provenance["reason"] == "contract C1 ended on 2025-08-31"


def test_a_first_run_inside_several_lead_times_records_each_and_again_nothing(awarded):
    first = contract_expiry(awarded, at("2025-06-15"))
    again = contract_expiry(awarded, at("2025-06-15"))
    assert (first.recorded, again.recorded, again.withdrawn) == (3, 0, 0)
    assert [e.data["organisation"] for e in notice_events(awarded)] == ["QWO"] * 3
    assert contract_expiry(awarded, at("2025-08-31")).recorded == 0


def test_an_extension_withdraws_the_old_end_dates_notices_and_the_new_end_gets_its_own(awarded):
    contract_expiry(awarded, at("2025-03-01"))
    awarded.extend_contract({"reference": "C1", "new_end": "2026-08-31",
                             "additional_value": "1000000"}, QWO)
    result = contract_expiry(awarded, at("2025-03-02"))
    assert (result.recorded, result.withdrawn) == (0, 2)
    assert {e.data["because"] for e in notice_events(awarded, "Withdrawn")} == {"end_changed"}
    contract_expiry(awarded, at("2025-08-31"))
    assert subjects(awarded) == expiry(12, 6) + expiry(12, end="2026-08-31")


def test_a_terminated_contract_gets_no_expiry_notices(awarded):
    award(awarded, "C2", end="2025-10-31")
    contract_expiry(awarded, at("2025-01-01"))
    awarded.terminate_contract({"reference": "C2", "effective": "2025-03-31"},
                               commissioner_of("QWO", "service moved in house"))
    result = contract_expiry(awarded, at("2025-03-01"))
    assert (result.recorded, result.withdrawn) == (1, 1)
    [withdrawn] = notice_events(awarded, "Withdrawn")
    assert withdrawn.data["because"] == "terminated"
    assert subjects(awarded) == expiry(12) + expiry(12, end="2025-10-31", reference="C2") \
        + expiry(6)
