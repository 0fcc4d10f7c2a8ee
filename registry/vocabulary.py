"""The registry's controlled vocabularies: codes accepted in commands and imports.

Codes are stored in events, so they are never renamed; new codes may be added.
"""

PROVIDER_KINDS = (
    "nhs_trust",
    "foundation_trust",
    "cic",
    "independent",
    "acute_trust",
    "mental_health_trust",
)
COMMISSIONER_KINDS = ("icb", "local_authority", "nhs_england")
ORGANISATION_KINDS = PROVIDER_KINDS + COMMISSIONER_KINDS + ("regulator",)

SERVICE_LINES = {
    "district_nursing": "District nursing",
    "health_visiting": "Health visiting",
    "school_nursing": "School nursing",
    "audiology": "Audiology",
    "wheelchair_services": "Wheelchair services",
    "diabetes_services": "Diabetes services",
    "walk_in_centres": "Walk-in centres and minor injury units",
    "family_nurse_partnership": "Family nurse partnership",
    "urgent_community_response": "Urgent community response",
    "community_therapies": "Community therapies",
    "podiatry": "Podiatry",
    "all_services": "All community services",
}

DOMAINS = ("performance", "quality", "social_value")
SUBDOMAINS = (
    "clinical_outcomes",
    "patient_experience",
    "patient_safety",
    "waiting_times",
    "friends_and_family_test",
    "workforce",
    "equity_and_inclusion",
)
MEASURES = ("proportion", "rate", "mean", "median", "count")
POLARITIES = ("higher", "lower", "none")
FREQUENCIES = ("monthly", "quarterly", "annual")

CHANNELS = ("cli", "api", "web", "import", "scheduler")
ROLES = ("regulator", "commissioner", "provider", "admin", "system")

PROCUREMENT_ROUTES = (
    "competitive_tender",
    "direct_award",
    "any_qualified_provider",
    "extension",
    "novation",
)
RENEWAL_DECISIONS = ("renew", "re_tender", "decommission")
FT_DECISIONS = ("authorised", "deferred", "rejected", "withdrawn", "resumed")

REGIONS = {
    "Y54": "North of England",
    "Y55": "Midlands and East of England",
    "Y56": "London",
    "Y57": "South of England",
    "W00": "Wales",
}
