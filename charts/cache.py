"""Charts drawn once per document: memoised in the process and, given a directory, on disk.

A chart is a pure function of its kind, its document and its options, and drawing is
deterministic (``charts.svg`` fixes the hash salt), so its SVG is stored under the SHA-256
of those - and of the drawing code itself, so a change to the charts draws afresh - and
reused by every process that shares the directory (web workers, the CLI, the scheduler).
A restatement changes the document and so draws a new chart. Each chart is kept per
medium (``charts.medium``): SVG for pages, PDF for printed packs. Files are written whole
(temporary file, then rename); one that cannot be read is drawn again. The directory is a
cache: deleting it at any time loses nothing.
"""

import hashlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib

from charts.caterpillar import caterpillar_chart
from charts.funnel import funnel_plot
from charts.medium import printing
from charts.spc import spc_chart_svg

DRAWERS = {"funnel": funnel_plot, "caterpillar": caterpillar_chart, "spc": spc_chart_svg}
SUFFIXES = {"svg": ".svg", "pdf": ".pdf"}
_state = {"directory": None}
PER_WORKER = 4  # fewer charts than this per process are drawn faster here


def _code_version() -> str:
    """A digest of the drawing code and matplotlib's version: stale charts are never served."""
    digest = hashlib.sha256(matplotlib.__version__.encode())
    for source in sorted(resources.files("charts").iterdir(), key=lambda p: p.name):
        if source.name.endswith(".py"):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def use_directory(directory: Path | None) -> None:
    """Keep drawn charts in ``directory`` (created on first write); None: in memory only."""
    _state["directory"] = Path(directory) if directory else None


def directory() -> Path | None:
    """Where drawn charts are kept (None: in this process's memory only)."""
    return _state["directory"]


def chart(kind: str, document: dict | None, **options) -> str:
    """The chart as inline SVG for a page ("" without a document)."""
    if document is None:
        return ""
    return _memo(kind, "svg", _key(kind, document, options), _state["directory"]).decode(
        "utf-8")


def printed_chart(kind: str, document: dict, **options) -> bytes:
    """The chart for print: a one-page PDF, or - when there is nothing to draw - the
    notice's SVG (UTF-8); ``is_pdf`` tells which."""
    return _memo(kind, "pdf", _key(kind, document, options, "pdf"), _state["directory"])


def is_pdf(drawn: bytes) -> bool:
    return drawn.startswith(b"%PDF-")


def _key(kind: str, document: dict, options: dict, medium: str = "svg") -> str:
    return json.dumps([CODE_VERSION, kind, medium, document, sorted(options.items())],
                      sort_keys=True, default=str)


def _path(directory: Path, kind: str, medium: str, key: str) -> Path:
    return directory / kind / f"{hashlib.sha256(key.encode()).hexdigest()}{SUFFIXES[medium]}"


@lru_cache(maxsize=512)
def _memo(kind: str, medium: str, key: str, directory: Path | None) -> bytes:
    path = None
    if directory is not None:
        path = _path(directory, kind, medium, key)
        try:
            kept = path.read_bytes()
        except OSError:
            kept = None  # not drawn yet, or unreadable: draw it
        if kept is not None and _whole(kept, medium):
            return kept
    drawn = _draw_key((kind, key))
    if path is not None:
        keep(path, drawn)
    return drawn


def _whole(drawn: bytes, medium: str) -> bool:
    """A kept chart as it was written: a PDF (for print), or SVG text (a page, a notice)."""
    if medium == "pdf" and is_pdf(drawn):
        return drawn.rstrip().endswith(b"%%EOF")
    try:
        return drawn.decode("utf-8").startswith("<svg")
    except UnicodeDecodeError:
        return False


def draw_ahead(requests: list[tuple[str, dict | None, dict]], medium: str = "svg") -> int:
    """Draw the charts of ``requests`` (kind, document, options) not yet kept, in parallel
    processes, into the directory, so that ``chart`` (or ``printed_chart`` for ``medium``
    "pdf") then finds them; returns how many.

    For many charts at once (an evidence pack): drawing is CPU-bound and matplotlib is not
    thread-parallel, so each of a few worker processes (started by a fork server, never
    forked from this process with its open connections) draws a share.
    """
    directory = _state["directory"]
    if directory is None:
        return 0
    missing = {}
    for kind, document, options in requests:
        if document is None:
            continue
        key = _key(kind, document, options, medium)
        path = _path(directory, kind, medium, key)
        if not path.exists():
            missing[path] = (kind, key)
    workers = min(os.cpu_count() or 1, len(missing) // PER_WORKER)
    if workers < 2:
        return 0
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["charts.cache"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for path, drawn in zip(missing, pool.map(_draw_key, missing.values(), chunksize=2),
                               strict=True):
            keep(path, drawn)
    return len(missing)


def _forget_inherited_fork_server() -> None:
    """In a child forked from a process that started the fork server, forget that server,
    so that ``draw_ahead`` there starts its own. CPython records the server in a module
    singleton that a fork copies, and checks that it lives by waiting for it as its own
    child: in the forked child that wait fails (``ChildProcessError``), and every chart
    drawn ahead there failed with it (the bench's steps run in forked children). The
    parent's server and its socket are left as they are."""
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    if server is None or getattr(server, "_forkserver_pid", None) is None:
        return
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        try:
            os.close(alive)  # the child's copy; the parent keeps the server alive
        except OSError:
            pass
    for name in ("_forkserver_pid", "_forkserver_alive_fd", "_forkserver_address",
                 "_forkserver_authkey"):
        if hasattr(server, name):
            setattr(server, name, None)


os.register_at_fork(after_in_child=_forget_inherited_fork_server)


def _draw_key(kind_and_key: tuple[str, str]) -> bytes:
    kind, key = kind_and_key
    _, _, medium, document, options = json.loads(key)
    if medium == "pdf":
        with printing():
            drawn = DRAWERS[kind](document, **dict(options))
    else:
        drawn = DRAWERS[kind](document, **dict(options))
    return drawn if isinstance(drawn, bytes) else drawn.encode("utf-8")


def keep(path: Path, drawn: bytes) -> None:
    """Write ``drawn`` to ``path`` whole (a temporary file, then rename), or not at all: a
    reader never sees half a file. Also used for what is derived from a chart
    (``packs.forms``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".chart-",
                                         delete=False) as handle:
            handle.write(drawn)
        os.replace(handle.name, path)
    except OSError:
        pass  # a cache that cannot be written only costs the work again next time


def clear_memory() -> None:
    """Forget the in-process memo (the disk stays): as a new process would start."""
    _memo.cache_clear()
