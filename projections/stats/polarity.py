"""Polarity of an indicator: which direction of change counts as better.

Every judgement in this package (benchmark comparison, quintile order, SPC
improvement or concern, assurance against a target) turns on the same three
codes, so they live here once:

- ``"higher"``: higher is better (e.g. % of new birth visits within 14 days);
- ``"lower"``: lower is better (e.g. pressure ulcers per 1,000 patients);
- ``"none"``: no judgement (e.g. a count of referrals) - results say
  higher/lower instead of better/worse.
"""

from __future__ import annotations

HIGHER = "higher"
LOWER = "lower"
NONE = "none"

POLARITIES = (HIGHER, LOWER, NONE)


def check_polarity(polarity: str) -> str:
    """Return ``polarity`` unchanged, or raise ValueError for an unknown code.

    A typo such as ``"high"`` must fail loudly rather than silently fall
    into "no judgement".
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    return polarity


def improvement_sign(polarity: str) -> int:
    """+1 if an increase is an improvement, -1 if a decrease is, 0 if neither."""
    return {HIGHER: 1, LOWER: -1, NONE: 0}[check_polarity(polarity)]
