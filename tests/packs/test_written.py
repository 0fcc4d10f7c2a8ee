"""Each stream of a pack's PDF written once (``packs.written``): the same file, byte for
byte, as WeasyPrint writes on its own, and a stream compressed ahead written as given."""

import io
import warnings
import zlib
from datetime import datetime, timezone

import pydyf
import pytest
import weasyprint
from pypdf import PdfReader

from packs.written import Written, compress, write_streams_once

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
CONTENT = b'{"figures": [' + b", ".join(b'{"value": %d}' % n for n in range(5000)) + b"]}"
HTML = ("<html><head><title>Written once</title><meta name=dcterms.created "
        "content=2026-01-02T03:04:05Z><meta name=dcterms.modified content=2026-01-02T03:04:05Z>"
        "</head><body><h1>A page</h1><p>" + "Some text. " * 400 + "</p></body></html>")


@pytest.fixture(scope="module")
def laid_out():
    return weasyprint.HTML(string=HTML).render()


def write(laid_out, finisher=None) -> bytes:
    attachment = weasyprint.Attachment(string=CONTENT, name="data.json", relationship="Data",
                                       created=WHEN, modified=WHEN)
    with warnings.catch_warnings():  # as packs.pdf: WeasyPrint leaves its sRGB profile open
        warnings.filterwarnings("ignore", category=ResourceWarning, message=".*sRGB2014")
        return laid_out.write_pdf(pdf_variant="pdf/a-3b", attachments=[attachment],
                                  finisher=finisher)


def attachment_stream(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    spec = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
    return spec["/EF"]["/F"].get_object()


def test_a_pdf_with_its_streams_written_once_is_the_same_file(laid_out):
    seen = {}

    def finish(_document, pdf):
        write_streams_once(pdf)
        seen["streams"] = [o for o in pdf.objects if isinstance(o, pydyf.Stream)]
        seen["written"] = [o for o in pdf.objects if isinstance(o, Written)]

    plain = write(laid_out)
    assert write(laid_out) == plain  # the comparison below means something
    assert write(laid_out, finish) == plain
    assert seen["streams"] == [] and len(seen["written"]) >= 3  # pages, fonts, attachment


def test_a_stream_compressed_ahead_is_written_with_the_bytes_given(laid_out):
    assert compress(CONTENT) == zlib.compress(CONTENT, 9)
    plain = write(laid_out)
    ahead = write(laid_out, lambda _d, pdf: write_streams_once(pdf, (CONTENT,
                                                                     compress(CONTENT))))
    assert ahead == plain
    # other bytes handed in are the ones written: the stream is not compressed again
    faster = zlib.compress(CONTENT, 1)
    assert faster != compress(CONTENT)
    given = write(laid_out, lambda _d, pdf: write_streams_once(pdf, (CONTENT, faster)))
    stream = attachment_stream(given)
    assert stream._data == faster
    assert stream["/Filter"] == "/FlateDecode"
    assert stream.get_data() == CONTENT
    # content the document does not hold is not matched: every stream compressed as usual
    other = write(laid_out, lambda _d, pdf: write_streams_once(pdf, (b"{}", faster)))
    assert other == plain
