"""Foundation-trust pipelines as data: the ordered milestones of each route.

The 2011-2016 route (TDA then Monitor) and today's Advanced Foundation Trust
Programme differ in stages, not in kind, so both are lists of milestones ending
in an assessment that must be passed before a decision to authorise.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Pipeline:
    code: str
    name: str
    milestones: tuple[tuple[str, str], ...]
    assessment: str

    @property
    def codes(self) -> list[str]:
        return [code for code, _ in self.milestones]

    def label(self, milestone: str) -> str:
        return dict(self.milestones)[milestone]

    def position(self, milestone: str) -> int:
        return self.codes.index(milestone)


FT_2011 = Pipeline(
    code="ft2011",
    name="NHS Trust Development Authority and Monitor (2011-2016)",
    milestones=(
        ("tfa", "Tripartite Formal Agreement signed (trust, SHA/DH, lead commissioner)"),
        ("ibp_ltfm", "Five-year plan, Integrated Business Plan and Long-Term Financial Model"),
        ("public_consultation", "Public consultation completed"),
        ("cqc_inspection", "CQC inspection rated Good or Outstanding"),
        ("tda_board_support", "NHS TDA board support on behalf of the Secretary of State"),
        ("monitor_submission", "Application submitted to Monitor"),
        ("monitor_assessment", "Monitor assessment passed (Board-to-Board, well-led)"),
    ),
    assessment="monitor_assessment",
)

AFTP = Pipeline(
    code="aftp",
    name="Advanced Foundation Trust Programme",
    milestones=(
        ("oversight_segment", "NHS Oversight Framework segment 1 or 2"),
        ("cqc_rating", "CQC rating Good or Outstanding"),
        ("icb_support", "Integrated care board support"),
        ("capability_assessment", "Capability assessment passed"),
    ),
    assessment="capability_assessment",
)

PIPELINES = {p.code: p for p in (FT_2011, AFTP)}
DEFAULT_PIPELINE = FT_2011.code
