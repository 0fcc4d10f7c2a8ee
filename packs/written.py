"""PDF objects whose syntax is written ahead of WeasyPrint's writer.

``Written`` is an object given as finished PDF syntax: the chart forms a pack copies in
(``packs.forms``), and each stream of a pack once ``write_streams_once`` has run.

pydyf, WeasyPrint's PDF writer, compresses a stream (zlib, level 9) every time its bytes
are asked for, and a PDF/A document asks for every object's bytes twice: once for the
document's identifier (an MD5 of all its objects) and once to write it. A pack carries its
document as an attachment, tens of megabytes at a decade of history, so the attachment was
compressed twice: about a fifth of a warm render. ``write_streams_once``, run last before
writing, puts each stream's bytes, as pydyf makes them, in its place, so each stream is
compressed once; the attachment, known before the pages are laid out, can be compressed
beside the layout (``compress``, in another thread: zlib lets go of the interpreter while
it works) and handed in. The file is the same byte for byte.
"""

import zlib

import pydyf


class Written(pydyf.Object):
    """An object whose PDF syntax is already written (``written``); a stream is never put
    in an object stream."""

    def __init__(self, stream: bool, written: bytes = b""):
        super().__init__()
        self.stream, self.written = stream, written

    @property
    def data(self) -> bytes:
        return self.written

    @property
    def compressible(self) -> bool:
        return not self.stream and super().compressible


def compress(data: bytes) -> bytes:
    """``data`` compressed as pydyf compresses a stream's content."""
    compressor = zlib.compressobj(level=9)
    return compressor.compress(data) + compressor.flush()


def write_streams_once(pdf: pydyf.PDF, ahead: tuple[bytes, bytes] | None = None) -> None:
    """Each stream of ``pdf`` replaced by its bytes, made now, under the same number: to be
    called once nothing more will change in the document (a finisher's last step).
    ``ahead`` is (content, ``compress(content)``): a stream of that content is written with
    the compressed bytes given instead of compressing it again."""
    for index, item in enumerate(pdf.objects):
        if not isinstance(item, pydyf.Stream) or item.free == "f":
            continue
        if ahead is not None and item.compress and item.stream == [ahead[0]]:
            extra = dict(item.extra, Filter="/FlateDecode")  # as pydyf adds it, Length next
            data = pydyf.Stream([ahead[1]], extra, compress=False).data
        else:
            data = item.data
        written = Written(True, data)
        written.number, written.generation = item.number, item.generation
        pdf.objects[index] = written
