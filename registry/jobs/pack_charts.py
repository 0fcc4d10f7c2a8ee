"""Pack charts: the funnel and SPC charts of every FT applicant's evidence pack drawn ahead,
so that the pack itself renders in seconds when someone asks for it.

A pack's charts are pure functions of its figures (``charts.cache`` keeps each under the
SHA-256 of its document), and drawing them is most of a pack's first render. This job
gathers, as known now, the figures of the FT application pack of each provider whose
application is in progress, and draws for print (``charts.medium``) the charts not kept
yet, in worker processes, each read into the form a pack places (``packs.forms``). It
records nothing: the charts are a cache, and a pack asked for before the job has run (or
after a figure changed) draws what it lacks itself. Run again with nothing changed, it
draws nothing. Like a pack, it reads as known at the real time, whatever day the
scheduler's clock says.
"""

from datetime import UTC, datetime

from charts.cache import draw_ahead, is_pdf, printed_chart
from packs.forms import prepared
from packs.ft import ft_contents
from packs.views import Printed, indicator_card
from projections.eventlog import plain
from projections.pipeline import pipeline_board
from registry.jobs.recording import JobResult

JOB = "pack_charts"


def pack_charts(app, now: datetime) -> JobResult:
    now = datetime.now(UTC)  # as a pack asked for now would know things, whatever the clock
    app.read_side.catch_up()
    store = app.read_side.store
    applicants = sorted(row["provider"] for row in pipeline_board(store, now, now.date())
                        if row["status"] == "in_progress")
    printed = Printed()
    for code in applicants:
        figures = plain(ft_contents(app, code, now, now.date()).figures)
        for row in figures["indicators"]:
            indicator_card(row, code, printed)
    in_workers = draw_ahead(printed.requests, "pdf")
    for kind, document, options in printed.requests:  # any left (too few for workers)
        drawn = printed_chart(kind, document, **options)
        if is_pdf(drawn):
            prepared(drawn)  # and read into a form, ready to place (``packs.forms``)
    return JobResult(JOB, 0, 0, f"{JOB}: {len(printed.requests)} charts of "
                                f"{len(applicants)} FT applicants' packs ready "
                                f"({in_workers} drawn in worker processes)")
