"""Colours, font and words shared by every chart and badge, defined once.

The four hues are those of NHS England's "Making Data Count" (as
NHSRplotthedots draws them): grey for common cause, blue for improvement,
orange for concern, purple for a change with no polarity. Blue against orange
stays distinguishable with the common colour-vision deficiencies; where the
hue is too light to carry text (orange on white is under 2:1), a darker
``INK`` shade of the same hue is used for letters and outlines so badges
meet the WCAG 3:1 contrast for graphics.

Benchmark comparisons reuse the hues, a deeper shade meaning the stronger
(99.8%) judgement, so a funnel and a ranked chart of the same data agree.
No module here imports matplotlib: the badges are hand-written SVG.
"""

FONT = "DejaVu Sans"

COMMON = "#7B7D7D"
IMPROVEMENT = "#289DE0"
CONCERN = "#FAB428"
NEUTRAL = "#361475"
TARGET = "#DE1B1B"

TEXT = "#212B32"
MUTED = "#4C6272"
GRID = "#D8DDE0"
BACKGROUND = "#FFFFFF"

INK = {COMMON: "#4C6272", IMPROVEMENT: "#005EB8", CONCERN: "#8A4B00", NEUTRAL: NEUTRAL}

POINT_TYPES = {"common_cause": COMMON, "improvement": IMPROVEMENT, "concern": CONCERN,
               "neutral": NEUTRAL}

NOT_COMPARED = "not_compared"
COMPARISONS = {
    "better_998": ("#005EB8", "Better (99.8%)"),
    "better_95": (IMPROVEMENT, "Better (95%)"),
    "similar": ("#C8CDD0", "Similar"),
    "worse_95": (CONCERN, "Worse (95%)"),
    "worse_998": ("#C45C00", "Worse (99.8%)"),
    "higher_998": (NEUTRAL, "Higher (99.8%)"),
    "higher_95": ("#8C72C6", "Higher (95%)"),
    "lower_95": ("#5FBFB4", "Lower (95%)"),
    "lower_998": ("#00665E", "Lower (99.8%)"),
    NOT_COMPARED: (BACKGROUND, "Not compared"),
}


def comparison_colour(code: str | None) -> str:
    return COMPARISONS.get(code or NOT_COMPARED, COMPARISONS[NOT_COMPARED])[0]


def comparison_label(code: str | None) -> str:
    return COMPARISONS.get(code or NOT_COMPARED, COMPARISONS[NOT_COMPARED])[1]
