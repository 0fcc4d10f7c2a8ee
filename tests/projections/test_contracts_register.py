from datetime import UTC, date, datetime, timedelta

import pytest

from projections.contracts import contract_row, contracts_register
from tests.builders import ADMIN, commissioner_of, seed

QWO = commissioner_of("QWO")


def award(app, reference: str, provider: str = "RY6", start="2022-07-01", end="2025-06-30"):
    app.award_contract({"reference": reference, "commissioner": "QWO", "provider": provider,
                        "service_lines": "district_nursing", "annual_value": "1000000",
                        "total_value": "3000000", "start": start, "end": end,
                        "route": "direct_award"}, QWO)


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def test_a_contract_row_follows_its_variations_extension_novation_and_renewal(seeded):
    award(seeded, "C1")
    seeded.vary_contract({"reference": "C1", "effective": "2023-04-01",
                          "annual_value": "1100000", "service_lines": "district_nursing;podiatry"},
                         commissioner_of("QWO", "podiatry added"))
    seeded.extend_contract({"reference": "C1", "new_end": "2026-06-30",
                            "additional_value": "1100000"}, QWO)
    seeded.novate_contract({"reference": "C1", "new_provider": "RYX",
                            "effective": "2024-01-01"}, commissioner_of("QWO", "transfer"))
    seeded.open_renewal_review({"reference": "C1", "due_by": "2026-01-31"}, QWO)
    seeded.decide_renewal({"reference": "C1", "decision": "renew"},
                          commissioner_of("QWO", "met the key criteria"))
    seeded.read_side.catch_up()
    row = contract_row(seeded.read_side.store, "C1", today=date(2025, 1, 1))
    assert {k: row[k] for k in ("commissioner", "provider", "awarded_provider", "start", "end",
                                "annual_value", "total_value", "service_lines", "route")} == {
        "commissioner": "QWO", "provider": "RYX", "awarded_provider": "RY6",
        "start": "2022-07-01", "end": "2026-06-30", "annual_value": "1100000.00",
        "total_value": "4100000.00", "service_lines": ["district_nursing", "podiatry"],
        "route": "direct_award"}
    assert (row["variations"], row["extensions"], row["novations"]) == (1, 1, 1)
    assert (row["status"], row["days_to_end"]) == ("live", 545)
    assert (row["review_status"], row["review_due_by"], row["renewal_decision"],
            row["decision_reason"]) == ("decided", "2026-01-31", "renew", "met the key criteria")
    assert row["decided_on"] == datetime.now(UTC).date().isoformat()
    assert row["last_recorded_at"] <= datetime.now(UTC).isoformat()


def test_as_of_gives_the_contract_as_known_before_a_later_change(seeded):
    before_award = datetime.now(UTC)
    award(seeded, "C1")
    before_novation = datetime.now(UTC)
    seeded.novate_contract({"reference": "C1", "new_provider": "RYX",
                            "effective": "2024-01-01"}, commissioner_of("QWO", "transfer"))
    seeded.open_renewal_review({"reference": "C1"}, QWO)
    seeded.read_side.catch_up()
    store = seeded.read_side.store
    assert contract_row(store, "C1", as_of=before_award) is None
    then = contract_row(store, "C1", as_of=before_novation)
    assert (then["provider"], then["novations"], then["review_status"]) == ("RY6", 0, "none")
    now = contract_row(store, "C1")
    assert (now["provider"], now["novations"], now["review_status"]) == ("RYX", 1, "open")
    assert contract_row(store, "C1", as_of=datetime.now(UTC)) == now
    recorded = datetime.fromisoformat(now["last_recorded_at"])
    assert contract_row(store, "C1", as_of=recorded) == now
    assert contract_row(store, "C1", as_of=recorded - timedelta(microseconds=1))[
        "review_status"] == "none"
    assert [c["provider"] for c in contracts_register(store, as_of=before_novation)] == ["RY6"]
    assert contracts_register(store, provider="RY6") == []


def test_status_is_computed_from_the_day_the_register_is_read(seeded):
    award(seeded, "OLD", start="2016-04-01", end="2019-03-31")
    award(seeded, "ENDED", start="2018-04-01", end="2021-03-31")
    seeded.terminate_contract({"reference": "ENDED", "effective": "2020-03-31"},
                              commissioner_of("QWO", "could not recruit"))
    award(seeded, "NOW")
    seeded.read_side.catch_up()
    store = seeded.read_side.store

    def statuses(today):
        return {c["reference"]: c["status"] for c in contracts_register(store, today=today)}

    assert statuses(date(2020, 1, 1)) == {"OLD": "expired", "ENDED": "live", "NOW": "live"}
    assert statuses(date(2020, 3, 31))["ENDED"] == "terminated"
    assert statuses(date(2025, 6, 30))["NOW"] == "live"
    assert statuses(date(2024, 1, 1)) == {"OLD": "expired", "ENDED": "terminated",
                                          "NOW": "live"}
    assert statuses(date(2025, 7, 1))["NOW"] == "expired"


def test_the_register_filters_by_party_and_expiry_ordered_by_end_date(seeded):
    award(seeded, "LATE", end="2027-03-31")
    award(seeded, "SOON", provider="RYX", end="2025-03-31")
    award(seeded, "MID", end="2025-06-30")
    award(seeded, "GONE", start="2022-07-01", end="2025-05-31")
    seeded.terminate_contract({"reference": "GONE", "effective": "2024-01-31"},
                              commissioner_of("QWO", "ended early"))
    seeded.read_side.catch_up()
    store = seeded.read_side.store
    today = date(2025, 1, 1)
    assert [c["reference"] for c in contracts_register(store, today=today)] == [
        "SOON", "GONE", "MID", "LATE"]
    assert [c["reference"] for c in contracts_register(store, provider="ryx")] == ["SOON"]
    assert [c["reference"] for c in contracts_register(store, commissioner="QWO")] == [
        "SOON", "GONE", "MID", "LATE"]
    assert contracts_register(store, commissioner="RY6") == []
    expiring = contracts_register(store, expiring_within_days=180, today=today)
    assert [c["reference"] for c in expiring] == ["SOON", "MID"]
    assert [c["reference"] for c in contracts_register(
        store, expiring_within_days=89, today=today)] == ["SOON"]


def test_a_rebuild_gives_the_same_register(seeded):
    award(seeded, "C1")
    seeded.extend_contract({"reference": "C1", "new_end": "2026-06-30",
                            "additional_value": "5"}, ADMIN)
    seeded.terminate_contract({"reference": "C1", "effective": "2025-01-31"},
                              ADMIN.because("ended"))
    award(seeded, "C2", provider="RYX")
    seeded.read_side.page = 3
    seeded.read_side.catch_up()
    incremental = seeded.read_side.checksums("contracts")
    before = contracts_register(seeded.read_side.store)
    seeded.read_side.page = 500
    seeded.read_side.rebuild("contracts")
    assert seeded.read_side.checksums("contracts") == incremental
    assert contracts_register(seeded.read_side.store) == before
