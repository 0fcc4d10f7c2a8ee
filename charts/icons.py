"""Making Data Count badges: the variation and assurance icons as small SVG.

NHS England's icons are a ringed circle whose colour carries the verdict -
grey common cause, blue improvement, orange concern, purple a change with no
polarity - with a letter for the direction (H higher, L lower) or the
assurance (P pass, F fail, ? hit and miss). They are hand-written here
rather than drawn by matplotlib: a few shapes, the same bytes every time,
cheap enough for every row of a table.

Colour alone must not carry the meaning, so each badge has the letter or
the common-cause squiggle, and a <title> (hover text) and ``aria-label``
that say the verdict in words. Codes are those of
``projections.stats.spc_icons``; an unknown code is a bug upstream and
raises, while ``None`` (no target, so no assurance) gives an empty string.
"""

from xml.sax.saxutils import escape, quoteattr

from charts.palette import BACKGROUND, COMMON, CONCERN, FONT, IMPROVEMENT, INK, NEUTRAL

VARIATION = {
    "common_cause": (COMMON, "", "Common cause variation: no significant change"),
    "improvement_high": (IMPROVEMENT, "H", ("Special cause variation of an improving "
                                            "nature: significantly higher, where higher "
                                            "is better")),
    "improvement_low": (IMPROVEMENT, "L", ("Special cause variation of an improving "
                                           "nature: significantly lower, where lower "
                                           "is better")),
    "concern_high": (CONCERN, "H", ("Special cause variation of a concerning nature: "
                                    "significantly higher, where lower is better")),
    "concern_low": (CONCERN, "L", ("Special cause variation of a concerning nature: "
                                   "significantly lower, where higher is better")),
    "neutral_high": (NEUTRAL, "H", ("Special cause variation: significantly higher "
                                    "(no judgement of better or worse)")),
    "neutral_low": (NEUTRAL, "L", ("Special cause variation: significantly lower "
                                   "(no judgement of better or worse)")),
}
ASSURANCE = {
    "consistent_pass": (IMPROVEMENT, "P", ("Assurance: the process will consistently "
                                           "pass the target")),
    "consistent_fail": (CONCERN, "F", ("Assurance: the process will consistently fail "
                                       "the target")),
    "hit_and_miss": (COMMON, "?", ("Assurance: the process will hit and miss the target "
                                   "at random (the target lies within the process limits)")),
}
SQUIGGLE = ((9, 22), (14, 16), (19, 23), (24, 17), (29, 22), (32, 18))


def variation_icon(code: str, size: int = 40) -> str:
    """Badge for a variation icon code, e.g. ``improvement_high``."""
    colour, letter, meaning = _look_up(VARIATION, code, "variation")
    if not letter:
        return _badge(colour, meaning, size, _squiggle(colour))
    arrow = "M20 4.5 L24 10 L16 10 Z" if code.endswith("high") else "M20 35.5 L24 30 L16 30 Z"
    return _badge(colour, meaning, size,
                  _letter(colour, letter, 26, 15) + f'<path d="{arrow}" fill="{INK[colour]}"/>')


def assurance_icon(code: str | None, size: int = 40) -> str:
    """Badge for an assurance icon code, e.g. ``consistent_pass``; "" for None."""
    if code is None:
        return ""
    colour, letter, meaning = _look_up(ASSURANCE, code, "assurance")
    target = (f'<path d="M9 31 H31" stroke="{INK[colour]}" stroke-width="1.6" '
              'stroke-dasharray="3 2"/>')
    return _badge(colour, meaning, size, _letter(colour, letter, 26, 19) + target)


def meaning(code: str | None) -> str:
    """The words for any icon code (variation or assurance); "" for None."""
    if code is None:
        return ""
    table = VARIATION if code in VARIATION else ASSURANCE
    return _look_up(table, code, "icon")[2]


def _look_up(table: dict, code: str, kind: str) -> tuple[str, str, str]:
    if code not in table:
        raise ValueError(f"unknown {kind} icon code {code!r}; known: {sorted(table)}")
    return table[code]


def _badge(colour: str, meaning: str, size: int, inside: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="{size}" '
            f'height="{size}" role="img" aria-label={quoteattr(meaning)}>'
            f"<title>{escape(meaning)}</title>"
            f'<circle cx="20" cy="20" r="17.5" fill="{BACKGROUND}" stroke="{colour}" '
            f'stroke-width="3"/>{inside}</svg>')


def _letter(colour: str, letter: str, baseline: int, font_size: int) -> str:
    return (f'<text x="20" y="{baseline}" text-anchor="middle" font-family="{FONT}" '
            f'font-size="{font_size}" font-weight="bold" fill="{INK[colour]}">'
            f"{escape(letter)}</text>")


def _squiggle(colour: str) -> str:
    points = " ".join(f"{x},{y}" for x, y in SQUIGGLE)
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="1.8" fill="{INK[colour]}"/>'
                   for x, y in SQUIGGLE)
    return (f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="1.5"/>{dots}')
