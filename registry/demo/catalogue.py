"""The demo's indicator catalogue (``data/indicators.csv``) and how each is simulated.

Each generated indicator has a model: a national centre, a spread between providers,
a volume (the denominator, or n, for a provider of size 1 in one period) and a
national trend per year. Proportions are modelled on the logit scale, rates, means,
medians and counts on the log scale.
"""

from dataclasses import dataclass
from datetime import date

from registry.demo.run import DemoRun, data_file, data_rows

INDICATORS_FILE = "indicators.csv"
WALK_IN = "WIC4H"  # real data, not simulated (see walk_in.py)


@dataclass(frozen=True)
class Model:
    kind: str            # binomial | poisson | mean | median | count | fft
    centre: float        # proportion, rate per multiplier, days, or count at size 1
    spread: float        # sd between providers (logit or log scale)
    volume: float        # denominator or n per period at size 1
    trend: float = 0.0   # national change per year (same scale as spread)
    noise: float = 0.06  # period-to-period wobble beyond sampling (same scale)


# (indicator, service line or "*") -> model
MODELS: dict[tuple[str, str], Model] = {
    ("UCR2H", "*"): Model("binomial", 0.80, 0.45, 650, trend=0.15),
    ("WCH18C", "*"): Model("binomial", 0.84, 0.60, 55, trend=0.20),
    ("WCH18A", "*"): Model("binomial", 0.88, 0.50, 170, trend=0.10),
    ("AUD6W", "*"): Model("binomial", 0.02, 0.80, 900, trend=0.05, noise=0.15),
    ("CWL18", "district_nursing"): Model("binomial", 0.02, 0.60, 220, trend=0.10),
    ("CWL18", "community_therapies"): Model("binomial", 0.11, 0.50, 2600, trend=0.12),
    ("CWL18", "podiatry"): Model("binomial", 0.14, 0.50, 1500, trend=0.12),
    ("CWL52", "community_therapies"): Model("count", 4.0, 0.80, 1, trend=0.20),
    ("CWL52", "podiatry"): Model("count", 6.0, 0.80, 1, trend=0.20),
    ("WAITD", "community_therapies"): Model("mean", 38.0, 0.30, 320, trend=0.04),
    ("WAITD", "podiatry"): Model("mean", 45.0, 0.30, 180, trend=0.04),
    ("WAITD", "diabetes_services"): Model("mean", 30.0, 0.30, 120, trend=0.02),
    ("DSEMED", "*"): Model("median", 56.0, 0.30, 90),
    ("HVNBV", "*"): Model("binomial", 0.88, 0.50, 2100, trend=0.08),
    ("HV68W", "*"): Model("binomial", 0.83, 0.60, 2050, trend=0.05),
    ("HV12M", "*"): Model("binomial", 0.75, 0.60, 2150, trend=0.05),
    ("HV2Y", "*"): Model("binomial", 0.74, 0.60, 2250, trend=0.05),
    ("HVBF68", "*"): Model("binomial", 0.45, 0.45, 1950),
    ("FNP16", "*"): Model("binomial", 0.58, 0.50, 28),
    ("PU1000", "*"): Model("poisson", 2.4, 0.35, 3200, trend=-0.06),
    ("FFTPOS", "district_nursing"): Model("fft", 0.95, 0.55, 140),
    ("FFTPOS", "community_therapies"): Model("fft", 0.96, 0.55, 180),
    ("FFTPOS", "podiatry"): Model("fft", 0.94, 0.55, 110),
    ("FFTPOS", "health_visiting"): Model("fft", 0.96, 0.50, 160),
    ("NCMPC", "*"): Model("binomial", 0.955, 0.45, 9000),
    ("VACRT", "*"): Model("binomial", 0.085, 0.30, 2300, trend=0.08),
    ("TURN", "*"): Model("binomial", 0.145, 0.25, 2600),
}
# FFTNEG is generated with FFTPOS from the same responses (see generated.py).
PAIRED = {"FFTNEG": "FFTPOS"}

# Reporting windows: the demo's years, except urgent community response, whose
# two-hour standard began in 2021/22 (first day, first day after).
DEFAULT_RANGE = (date(2016, 4, 1), date(2019, 4, 1))
RANGES = {"UCR2H": (date(2022, 4, 1), date(2024, 4, 1))}

# Stories for the SPC charts: (provider, indicator, service line) -> (first period
# of the change, shift on the model's scale, what happened).
STORIES = {
    ("RY6", "PU1000", "district_nursing"): (
        date(2017, 10, 1), -0.45, "pressure ulcer collaborative on the caseload"),
    ("RYX", "WAITD", "community_therapies"): (
        date(2018, 1, 1), 0.35, "therapy vacancies after a service redesign"),
    ("RY4", "HVNBV", "health_visiting"): (
        date(2017, 4, 1), 0.70, "new birth visits booked from the maternity notification"),
}


def indicators() -> list[dict]:
    return data_rows(INDICATORS_FILE)


def model(code: str, line: str) -> Model:
    return MODELS.get((code, line)) or MODELS[(code, "*")]


def load(run: DemoRun) -> None:
    run.progress("indicators", 0, 1)
    run.import_file("indicators", INDICATORS_FILE, data_file(INDICATORS_FILE))
    run.progress("indicators", 1, 1)
