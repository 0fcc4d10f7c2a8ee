"""Small, explicit set-ups shared by tests: a few organisations and indicators."""

from projections.eventlog import read_events
from registry.provenance import Actor, Provenance

ADMIN = Provenance(Actor("admin.user", "REGISTRY", "admin"), "cli")
REGULATOR = Provenance(Actor("inspector@CQC", "CQC", "regulator"), "web")


def provider_of(code: str, reason: str | None = None) -> Provenance:
    return Provenance(Actor(f"user@{code}", code, "provider"), "api", reason=reason)


def commissioner_of(code: str, reason: str | None = None) -> Provenance:
    return Provenance(Actor(f"user@{code}", code, "commissioner"), "web", reason=reason)


def event_count(app) -> int:
    """How many events are stored (PostgreSQL ids may have gaps, so count them)."""
    return sum(1 for _ in read_events(app))


ORGANISATIONS = [
    {"code": "RY6", "name": "Leeds Community Healthcare NHS Trust", "kind": "nhs_trust",
     "region": "Y54", "opened": "2011-04-01"},
    {"code": "RYX", "name": "Central London Community Healthcare NHS Trust",
     "kind": "nhs_trust", "region": "Y56", "opened": "2010-11-01"},
    {"code": "RY2", "name": "Bridgewater Community Healthcare NHS Foundation Trust",
     "kind": "foundation_trust", "region": "Y54", "opened": "2010-11-01"},
    {"code": "QWO", "name": "NHS West Yorkshire ICB", "kind": "icb", "region": "Y54",
     "opened": "2022-07-01"},
    {"code": "NXA01", "name": "Northfield Community Health CIC (fictional)", "kind": "cic"},
]

INDICATORS = [
    {"code": "WIC4H", "name": "Walk-in centre attendances seen within 4 hours",
     "domain": "performance", "subdomain": "waiting_times",
     "service_lines": "walk_in_centres", "measure": "proportion", "unit": "%",
     "polarity": "higher", "frequency": "monthly"},
    {"code": "PU1000", "name": "Pressure ulcers per 1,000 caseload", "domain": "quality",
     "subdomain": "patient_safety", "service_lines": "district_nursing", "measure": "rate",
     "unit": "per 1,000", "multiplier": 1000, "polarity": "lower", "frequency": "quarterly"},
    {"code": "WAITD", "name": "Mean wait from referral to first contact (days)",
     "domain": "performance", "subdomain": "waiting_times",
     "service_lines": "community_therapies;podiatry", "measure": "mean", "unit": "days",
     "polarity": "lower", "frequency": "annual"},
]


def seed(app) -> None:
    for org in ORGANISATIONS:
        app.register_organisation(org, ADMIN)
    for indicator in INDICATORS:
        app.define_indicator(indicator, ADMIN)


def wic(provider="RY6", period="2018-12", numerator=90, denominator=100, **extra) -> dict:
    return {"provider": provider, "indicator": "WIC4H", "service_line": "walk_in_centres",
            "period": period, "numerator": numerator, "denominator": denominator, **extra}
