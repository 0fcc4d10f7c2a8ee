"""Who provides which community services in the demo, and when.

The trusts are real (codes and names from the ODS extract); which services each runs
here, their sizes and their figures are illustrative, not their real returns. The
three fictional providers (NXA01, NXA02, NXB01) are in ``data/organisations.csv``.
"""

from datetime import date

DN, CT, POD = "district_nursing", "community_therapies", "podiatry"
HV, SN, FNP = "health_visiting", "school_nursing", "family_nurse_partnership"
AUD, WCH, DIAB = "audiology", "wheelchair_services", "diabetes_services"
UCR, ALL = "urgent_community_response", "all_services"

# Community trusts from the ODS extract (R1G closed in 2015 and is left out), then
# mental-health and acute trusts with community arms, then the fictional providers.
SERVICES: dict[str, tuple[str, ...]] = {
    "R1A": (DN, CT, POD, HV, SN, WCH),
    "R1C": (DN, CT, POD, HV, SN, AUD, DIAB),
    "R1D": (DN, CT, POD, HV, SN, DIAB),
    "R1E": (DN, CT, POD, WCH, AUD),
    "R1J": (DN, CT, POD, HV, SN, DIAB),
    "RY1": (DN, CT, POD, HV, SN, AUD),
    "RY2": (DN, CT, POD, HV, SN, FNP, DIAB),
    "RY3": (DN, CT, POD, WCH, DIAB),
    "RY4": (DN, CT, POD, HV, SN, FNP, AUD),
    "RY5": (DN, CT, POD, SN, DIAB),
    "RY6": (DN, CT, POD, HV, SN, FNP, AUD, WCH, DIAB),
    "RY7": (DN, CT, POD, HV, SN),
    "RY8": (DN, CT, POD, HV, SN, WCH),
    "RY9": (DN, CT, POD, HV, SN, AUD),
    "RYV": (DN, CT, HV, SN, FNP, WCH, DIAB),
    "RYW": (DN, CT, POD, HV, FNP, WCH, AUD),
    "RYX": (DN, CT, POD, HV, SN, FNP, WCH, DIAB),
    "RYY": (DN, CT, POD, HV, SN, FNP, AUD, DIAB),
    "RDR": (DN, CT, POD, WCH, DIAB),
    "RKE": (DN, CT, HV, SN),
    "RA9": (DN, CT, POD, HV),
    "RW1": (DN, CT, POD),
    "RNU": (DN, CT, POD, HV, SN),
    "RT5": (DN, CT, HV, SN, FNP),
    "RW4": (DN, CT),
    "NXA01": (DN, CT, DIAB),
    "NXA02": (CT, POD, WCH, SN),
    "NXB01": (POD, AUD),
}
ARMS = ("RKE", "RA9", "RW1", "RNU", "RT5", "RW4")
FICTIONAL = ("NXA01", "NXA02", "NXB01")
# Whole-organisation workforce figures only for providers whose main business is
# community services (a mental-health or acute trust's would not be comparable).
WORKFORCE = tuple(code for code in SERVICES if code not in ARMS)

# Fictional providers' standing, on the scale of a standard normal draw: one is
# consistently better than its peers, two consistently worse.
STANDING = {"NXA01": 1.8, "NXA02": -1.6, "NXB01": -1.2}
SIZES = {"NXA01": 0.3, "NXA02": 0.25, "NXB01": 0.2}

# Trusts reporting urgent community response (2022-04 to 2024-03: the two-hour
# standard dates from 2021/22) - those that existed unchanged through that time.
UCR_PROVIDERS = ("RY2", "RY3", "RY4", "RY5", "RY6", "RY7", "RY8", "RYV", "RYW", "RYX",
                 "RYY", "RDR", "R1C", "R1D")

# When a provider ran a service line in the demo: (first day, first day no longer).
# RY1 (Liverpool Community Health) handed district nursing and community therapies
# to RW4 (Mersey Care) on 2018-04-01 and closed on 2018-08-01; the A&E returns show
# its walk-in centre reporting moving to RW4 from August 2018.
RY1_TRANSFER = date(2018, 4, 1)
RY1_CLOSED = date(2018, 8, 1)
_EARLY, _LATE = date(2000, 1, 1), date(2100, 1, 1)
WINDOWS: dict[tuple[str, str], tuple[date, date]] = {
    ("RY1", DN): (_EARLY, RY1_TRANSFER),
    ("RY1", CT): (_EARLY, RY1_TRANSFER),
    ("RW4", DN): (RY1_TRANSFER, _LATE),
    ("RW4", CT): (RY1_TRANSFER, _LATE),
    ("NXA02", SN): (date(2018, 4, 1), _LATE),
}
CLOSURES = {"RY1": RY1_CLOSED}
# A receiving provider carries on the service as it was: same underlying performance.
CONTINUES = {("RW4", DN): "RY1", ("RW4", CT): "RY1"}


def window(provider: str, line: str) -> tuple[date, date]:
    start, end = WINDOWS.get((provider, line), (_EARLY, _LATE))
    return start, min(end, CLOSURES.get(provider, _LATE))


def providers_of(line: str) -> list[str]:
    if line == ALL:
        return list(WORKFORCE)
    if line == UCR:
        return list(UCR_PROVIDERS)
    return [code for code, lines in SERVICES.items() if line in lines]
