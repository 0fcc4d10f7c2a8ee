"""What a step reports: figures beside their floors, and the issue's targets."""

from dataclasses import asdict, dataclass, field


@dataclass
class Figure:
    """One measured figure. ``kind`` is ``rate`` (higher is better; ratio = figure / floor)
    or ``latency`` (lower is better; ratio = figure / floor, how many times the floor)."""

    label: str
    value: float
    unit: str
    kind: str = "rate"
    floor_label: str | None = None
    floor: float | None = None
    target: str | None = None  # e.g. "ratio >= 0.5", "value <= 20"
    detail: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0) or self.value is None:
            return None
        return self.value / self.floor

    @property
    def met(self) -> bool | None:
        """True / False against the target, None when there is none."""
        if not self.target:
            return None
        subject, op, bound = self.target.split()
        actual = self.ratio if subject == "ratio" else self.value
        if actual is None:
            return False
        return actual >= float(bound) if op == ">=" else actual <= float(bound)

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


@dataclass
class StepResult:
    name: str
    engine: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rss_start_mb: float = 0.0
    rss_peak_mb: float = 0.0
    measured: bool = True

    def add(self, *args, **kwargs) -> Figure:
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        return figure

    def as_dict(self) -> dict:
        return {"name": self.name, "engine": self.engine, "seconds": self.seconds,
                "rss_start_mb": self.rss_start_mb, "rss_peak_mb": self.rss_peak_mb,
                "measured": self.measured, "notes": list(self.notes),
                "figures": [f.as_dict() for f in self.figures]}

    @classmethod
    def from_dict(cls, data: dict) -> "StepResult":
        result = cls(data["name"], data["engine"], seconds=data["seconds"],
                     rss_start_mb=data["rss_start_mb"], rss_peak_mb=data["rss_peak_mb"],
                     measured=data["measured"], notes=list(data["notes"]))
        keys = Figure.__dataclass_fields__
        result.figures = [Figure(**{k: v for k, v in f.items() if k in keys})
                          for f in data["figures"]]
        return result


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]
