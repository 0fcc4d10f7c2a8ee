"""How big a benchmark run is.

The full national set is 500 providers, 150 indicator x service-line cells (50 monthly
indicators, each on three service lines) and 120 months. Not every provider delivers
every service line: each provider delivers each of the eleven service lines with a
seeded chance (``density``), and reports every cell on the lines it delivers, every
month. At full scale that is about 1.08 million submission events, plus contracts and
FT milestones.

A fraction (``--scale 0.1``) keeps the providers and cells (so a benchmark cell has as
many peers as at full scale) and scales the months; below 0.05 it scales the providers
too, over six months.
"""

from dataclasses import dataclass

FULL_PROVIDERS = 500
FULL_INDICATORS = 50  # each on three service lines: 150 cells
FULL_MONTHS = 120
DENSITY = 0.12  # chance that a provider delivers a given service line
SERVICE_LINES = 11  # the lines the cells are spread over, evenly (``bench.data.LINES``)


@dataclass(frozen=True)
class Scale:
    name: str
    providers: int
    indicators: int
    months: int
    density: float = DENSITY

    @property
    def cells(self) -> int:
        return self.indicators * 3

    @property
    def expected_submissions(self) -> int:
        """The expected count (the generator's seeded draws decide the exact one). A
        provider reports the cells of the lines it delivers; one that drew none delivers
        one line chosen at random (``bench.data``), which has a line's share of the cells."""
        none_drawn = (1 - self.density) ** SERVICE_LINES
        per_provider = self.cells * (self.density + none_drawn / SERVICE_LINES)
        return round(self.providers * per_provider * self.months)

    def describe(self) -> str:
        return (f"{self.name}: {self.providers} providers x {self.cells} indicator x "
                f"service-line cells x {self.months} months, each provider delivering a "
                f"service line with chance {self.density:g} "
                f"(about {self.expected_submissions:,} submissions)")


NAMED = {
    "tiny": Scale("tiny", providers=8, indicators=2, months=4, density=0.6),
    "small": Scale("small", providers=100, indicators=50, months=12),
    "moderate": Scale("moderate", providers=500, indicators=50, months=10),
    "full": Scale("full", providers=FULL_PROVIDERS, indicators=FULL_INDICATORS,
                  months=FULL_MONTHS),
}


def parse_scale(text: str) -> Scale:
    """A named size (tiny, small, moderate, full) or a fraction of the full set (0 < f <= 1)."""
    key = text.strip().lower()
    if key in NAMED:
        return NAMED[key]
    try:
        fraction = float(key)
    except ValueError:
        raise ValueError(f"scale must be one of {', '.join(NAMED)} or a fraction such as "
                         f"0.1, not {text!r}") from None
    if not 0 < fraction <= 1:
        raise ValueError("a fractional scale must be above 0 and at most 1")
    if fraction >= 0.05:
        months = max(6, round(FULL_MONTHS * fraction))
        return Scale(f"{fraction:g}", FULL_PROVIDERS, FULL_INDICATORS, months)
    providers = max(10, round(FULL_PROVIDERS * fraction / 0.05))
    return Scale(f"{fraction:g}", providers, FULL_INDICATORS, 6)
