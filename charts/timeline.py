"""An FT application's milestones on a time line: where each was first due, where it is due
now, and when it was achieved, so slippage shows as the length of a bar.

Each milestone is a row: a grey tick at its first target, an orange bar from there to
its current target when it slipped, a blue dot when achieved (on its date), an open
red circle at its target when it is overdue on ``today``, and a vertical line at today.
"""

from datetime import date

import matplotlib.dates as mdates

from charts.palette import COMMON, CONCERN, IMPROVEMENT, MUTED, TARGET
from charts.svg import legend, notice, render


def milestone_timeline(application: dict, today: str | date) -> str:
    """SVG time line of ``application["milestones"]`` (the pipeline read model's rows)."""
    milestones = [m for m in application.get("milestones", []) if m.get("first_target")]
    title = f"FT milestones of {application.get('provider')}"
    if not milestones:
        return notice(title, "No milestone has been scheduled yet.")
    today = date.fromisoformat(str(today))

    def draw(figure):
        ax = figure.add_subplot()
        for row, m in enumerate(reversed(milestones)):
            _milestone(ax, row, m, today)
        ax.axvline(mdates.date2num(today), color=MUTED, lw=0.8, ls=":", label=f"Today ({today})")
        ax.set_yticks(range(len(milestones)),
                      [m["code"].replace("_", " ") for m in reversed(milestones)])
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.grid(axis="y", visible=False)
        legend(figure, ax, [("First target", "|", COMMON), ("Achieved", "o", IMPROVEMENT),
                            ("Overdue target", "o", TARGET)], loc="outside lower center",
               ncols=5, fontsize=7)

    return render(draw, title, _describe(milestones, today), size=(7.2, 0.9 + 0.32 *
                                                                      len(milestones) + 0.6))


def _milestone(ax, row: int, m: dict, today: date) -> None:
    first = mdates.date2num(date.fromisoformat(m["first_target"]))
    target = mdates.date2num(date.fromisoformat(m["target"] or m["first_target"]))
    if target != first:
        ax.plot([first, target], [row, row], color=CONCERN, lw=5, solid_capstyle="butt",
                zorder=2, label="Slippage" if row == 0 else None)
    ax.plot([first], [row], "|", color=COMMON, markersize=12, markeredgewidth=2, zorder=3)
    if m.get("achieved"):
        ax.plot([mdates.date2num(date.fromisoformat(m["achieved"]))], [row], "o",
                color=IMPROVEMENT, markersize=6, zorder=4)
    elif m.get("overdue"):
        ax.plot([target], [row], "o", markerfacecolor="white", markeredgecolor=TARGET,
                markersize=7, markeredgewidth=1.5, zorder=4)


def _describe(milestones: list[dict], today: date) -> str:
    parts = []
    for m in milestones:
        state = (f"achieved {m['achieved']}" if m.get("achieved")
                 else "overdue" if m.get("overdue") else "not yet due")
        parts.append(f"{m['code'].replace('_', ' ')}: first due {m['first_target']}, due "
                     f"{m['target']}, {state}")
    return f"As at {today}: " + "; ".join(parts) + "."
