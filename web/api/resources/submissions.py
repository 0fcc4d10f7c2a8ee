"""Submissions: one provider's figure for one indicator, service line and period.

A submission is addressed by its cell in the path. Changing one is never an edit
in place: a restatement or a withdrawal is a new event with a reason, so the
responses return the submission's new state and the original stays in its
history. ``expected_version`` guards against overwriting someone else's change.
"""

from flask import g, url_for

from registry.commands import submissions as cmd
from web.api import api, dump, query
from web.api import inputs as i
from web.api import schemas as s
from web.api.spec import operation
from web.context import not_found, provenance, registry

CELL_PATH = "/submissions/<provider>/<indicator>/<service_line>/<path:period>"


@api.get(CELL_PATH)
@operation("One submission", tag="submissions", path=cmd.SubmissionCell, query=s.AsOf,
           response=s.Submission, errors=(404,))
def submission(**raw):
    """A submission as it stands, or as the registry knew it at ``as_of``."""
    query(s.AsOf)
    cell = i.path(cmd.SubmissionCell, **raw)
    found = registry().get_submission(**cell, as_of=g.as_of)
    if found is None:
        raise not_found(f"nothing was submitted for {' '.join(cell.values())}", "period")
    return dump(s.Submission, found)


@api.post("/submissions")
@operation("Submit a figure", tag="submissions", body=cmd.Submit, response=s.Submission,
           status=201, errors=(403, 404, 409))
def submit():
    """The first figure for a cell; a later change is a restatement, with a reason."""
    data, _ = i.command(cmd.Submit)
    registry().submit(data, provenance())
    return _created(i.cell_of(data))


@api.post("/submissions/batch")
@operation("Submit many figures at once", tag="submissions", body=cmd.Submit(many=True),
           response=s.Submission, many=True, status=201, errors=(403,))
def submit_batch():
    """All or nothing, in one transaction: if any item is refused, nothing is stored and
    the errors name each item by its index (``items[3].numerator``)."""
    items = i.batch()
    registry().submit_many(items, provenance())
    stored = [registry().get_submission(**i.cell_of(item)) for item in items]
    return dump(s.Submission, stored, 201, many=True)


@api.post(CELL_PATH + "/restatements")
@operation("Restate a submission", tag="submissions", path=cmd.SubmissionCell,
           body=i.RestateBody,
           response=s.Submission, errors=(403, 404, 409))
def restate(**raw):
    """New values for a submitted cell, with the reason; 409 if ``expected_version`` is
    not the current version (someone else changed it since it was read)."""
    cell = i.path(cmd.SubmissionCell, **raw)
    data, reason = i.command(i.RestateBody)
    registry().restate({**data, **cell}, provenance(reason))
    return dump(s.Submission, registry().get_submission(**cell))


@api.post(CELL_PATH + "/withdrawal")
@operation("Withdraw a submission", tag="submissions", path=cmd.SubmissionCell,
           body=i.WithdrawBody,
           response=s.Submission, errors=(403, 404))
def withdraw(**raw):
    """Takes the figure out of benchmarks and charts; it stays in the history."""
    cell = i.path(cmd.SubmissionCell, **raw)
    _, reason = i.command(i.WithdrawBody)
    registry().withdraw(cell, provenance(reason))
    return dump(s.Submission, registry().get_submission(**cell))


@api.post(CELL_PATH + "/queries")
@operation("Raise a data query", tag="submissions", path=cmd.SubmissionCell,
           body=i.RaiseQueryBody,
           response=s.RaisedQuery, status=201, errors=(403, 404))
def raise_query(**raw):
    """A regulator's question about a figure, for the provider to answer."""
    cell = i.path(cmd.SubmissionCell, **raw)
    data, _ = i.command(i.RaiseQueryBody)
    query_id = registry().raise_query({**data, **cell}, provenance())
    return dump(s.RaisedQuery, {"query_id": query_id, "question": data["question"],
                                "submission": registry().get_submission(**cell)}, 201)


@api.post(CELL_PATH + "/queries/<query_id>/answer")
@operation("Answer a data query", tag="submissions", path=i.QueryPath,
           body=i.AnswerQueryBody,
           response=s.Submission, errors=(403, 404))
def answer_query(**raw):
    """The provider's answer; a query is answered once."""
    cell = i.path(i.QueryPath, **raw)
    data, _ = i.command(i.AnswerQueryBody)
    registry().answer_query({**data, **cell}, provenance())
    return dump(s.Submission, registry().get_submission(
        **{k: cell[k] for k in i.CELL}))


def _created(cell: dict):
    response, status = dump(s.Submission, registry().get_submission(**cell), 201)
    response.headers["Location"] = url_for("api.submission", **cell)
    return response, status
