"""A small registry with something for every section of every pack: a year of walk-in
centre figures from three providers with a restatement, a withdrawal and an answered data
query; a contract awarded, varied, extended, reviewed and decided; an FT application with
achieved and slipped milestones; and a signed ledger checkpoint."""

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from packs.document import ATTACHMENT
from registry.imports import import_csv
from tests.builders import ADMIN, REGULATOR, commissioner_of, provider_of, seed
from tests.web.conftest import wic_csv

CELL = {"provider": "RY6", "indicator": "WIC4H", "service_line": "walk_in_centres"}


@pytest.fixture
def world(app):
    seed(app)
    import_csv(app, "submissions", wic_csv(), "wic-2018.csv", ADMIN)
    app.restate({**CELL, "period": "2018-06", "numerator": 950, "denominator": 1240},
                provider_of("RY6", "duplicate attendances removed"))
    app.withdraw({**CELL, "provider": "RYX", "period": "2018-02"},
                 provider_of("RYX", "sent twice"))
    query = app.raise_query({**CELL, "period": "2018-09", "question": "Why the dip?"},
                            REGULATOR)
    app.answer_query({**CELL, "period": "2018-09", "query_id": query,
                      "answer": "a ward closed for a week"}, provider_of("RY6"))
    app.award_contract({"reference": "QWO-WIC-2018", "commissioner": "QWO", "provider": "RY6",
                        "service_lines": "walk_in_centres", "annual_value": "1000000",
                        "total_value": "1000000", "start": "2018-01-01", "end": "2018-12-31",
                        "route": "competitive_tender"}, commissioner_of("QWO"))
    app.vary_contract({"reference": "QWO-WIC-2018", "effective": "2018-07-01",
                       "annual_value": "1100000"}, commissioner_of("QWO", "evening opening"))
    app.extend_contract({"reference": "QWO-WIC-2018", "new_end": "2019-03-31",
                         "additional_value": "275000"}, commissioner_of("QWO", "bridging"))
    app.open_renewal_review({"reference": "QWO-WIC-2018"}, commissioner_of("QWO", "due"))
    app.decide_renewal({"reference": "QWO-WIC-2018", "decision": "re_tender"},
                       commissioner_of("QWO", "market test the service"))
    app.start_application({"provider": "RY6"}, provider_of("RY6"))
    app.schedule_milestone({"provider": "RY6", "milestone": "tfa",
                            "target_date": "2012-03-30"}, provider_of("RY6"))
    app.achieve_milestone({"provider": "RY6", "milestone": "tfa", "achieved_on": "2012-05-01"},
                          provider_of("RY6"))
    app.schedule_milestone({"provider": "RY6", "milestone": "ibp_ltfm",
                            "target_date": "2013-03-31"}, provider_of("RY6"))
    app.slip_milestone({"provider": "RY6", "milestone": "ibp_ltfm",
                        "new_target": "2013-09-30"}, provider_of("RY6", "board changes"))
    app.ledger.checkpoint(ADMIN)
    app.read_side.catch_up()
    return app


def attachment(pdf: bytes) -> bytes:
    return PdfReader(io.BytesIO(pdf)).attachments[ATTACHMENT][0]


def replace_attachment(pdf: bytes, data: bytes) -> bytes:
    """The same PDF with its pack.json replaced: what an editor of the file could do."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[names.index(ATTACHMENT) + 1].get_object()
    stream = spec["/EF"]["/F"].get_object()
    stream.set_data(data)
    if "/Params" in stream:
        stream[NameObject("/Params")] = stream["/Params"].__class__()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
