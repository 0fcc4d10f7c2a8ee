"""The FT pipeline board: each aspirant trust's application by stage, with slippage."""

from flask import g, render_template, request

from projections.pipeline import pipeline_board
from web.context import as_of_day, store
from web.downloads import csv_response, wants_csv
from web.pages import bp


@bp.get("/pipeline")
def pipeline():
    rows = pipeline_board(store(), g.as_of, today=as_of_day())
    if wants_csv(request):
        return csv_response([{k: v for k, v in r.items() if k != "milestones"} for r in rows],
                            "ft-pipeline")
    columns: dict[str, list] = {}
    for row in rows:
        column = row["stage_label"] if row["status"] == "in_progress" else \
            row["status"].replace("_", " ")
        columns.setdefault(column, []).append(row)
    return render_template("pipeline.html", rows=rows, columns=columns)
