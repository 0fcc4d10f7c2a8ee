"""Charts are drawn once per document and option set, and reused from disk by a new process."""

import multiprocessing
import os

import pytest

from charts import cache
from charts.spc import spc_chart_svg

DOCUMENT = {"provider": "RY6", "indicator": "WIC4H", "service_line": "walk_in_centres",
            "mean": 2.0, "lpl": 1.0, "upl": 3.0, "target": None, "trial_limits": True,
            "variation_icon": "common_cause", "assurance_icon": None, "rebaselined_at": [],
            "points": [{"period": f"2018-{m:02d}", "value": 2.0 + (m % 3) / 10, "mean": 2.0,
                        "lpl": 1.0, "upl": 3.0, "lower_2sigma": 1.3, "upper_2sigma": 2.7,
                        "special_cause": False, "rule": None, "type": "common_cause",
                        "segment": 0, "pooled_from": []} for m in range(1, 8)]}


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """The cache on a fresh directory, with the SPC drawer counting its calls."""
    calls = []

    def drawer(document):
        calls.append(document)
        return spc_chart_svg(document)

    monkeypatch.setitem(cache.DRAWERS, "spc", drawer)
    cache.use_directory(tmp_path / "charts")
    cache.clear_memory()
    yield calls, tmp_path / "charts"
    cache.use_directory(None)
    cache.clear_memory()


def test_a_chart_is_drawn_once_and_read_back_by_a_new_process(counted):
    calls, directory = counted
    first = cache.chart("spc", DOCUMENT)
    assert cache.chart("spc", DOCUMENT) == first and len(calls) == 1
    cache.clear_memory()  # as a new process starts
    assert cache.chart("spc", DOCUMENT) == first and len(calls) == 1
    assert [p.suffix for p in (directory / "spc").iterdir()] == [".svg"]


def test_a_changed_document_draws_afresh(counted):
    calls, _ = counted
    cache.chart("spc", DOCUMENT)
    restated = {**DOCUMENT, "points": [{**DOCUMENT["points"][0], "value": 9.0},
                                       *DOCUMENT["points"][1:]]}
    assert cache.chart("spc", restated) != cache.chart("spc", DOCUMENT)
    assert len(calls) == 2


def test_an_unreadable_entry_is_drawn_again(counted):
    calls, directory = counted
    first = cache.chart("spc", DOCUMENT)
    (path,) = (directory / "spc").iterdir()
    path.write_bytes(b"\xff\xfe not utf-8")
    cache.clear_memory()
    assert cache.chart("spc", DOCUMENT) == first and len(calls) == 2
    cache.use_directory(None)
    cache.clear_memory()
    assert cache.chart("spc", DOCUMENT) == first and len(calls) == 3  # memory only


def test_no_document_no_chart(counted):
    assert cache.chart("spc", None) == ""


def drawn_here_and_ahead(tmp_path, documents, medium):
    """Each SPC chart of ``documents`` drawn in this process with no directory, then drawn
    ahead (in worker processes) into a fresh directory and read back: (here, drawn ahead,
    read back)."""
    read = cache.printed_chart if medium == "pdf" else cache.chart
    cache.use_directory(None)
    cache.clear_memory()
    here = [read("spc", d) for d in documents]
    cache.use_directory(tmp_path / "charts")
    cache.clear_memory()
    try:
        drawn = cache.draw_ahead([("spc", d, {}) for d in documents], medium)
        kept = len(list((tmp_path / "charts" / "spc").iterdir())) if drawn else 0
        again = cache.draw_ahead([("spc", d, {}) for d in documents], medium)
        return here, drawn, kept, again, [read("spc", d) for d in documents]
    finally:
        cache.use_directory(None)
        cache.clear_memory()


def test_charts_drawn_ahead_in_worker_processes_are_those_drawn_here(tmp_path):
    documents = [{**DOCUMENT, "points": [{**p, "value": p["value"] + shift / 10}
                                         for p in DOCUMENT["points"]]} for shift in range(8)]
    here, drawn, kept, again, there = drawn_here_and_ahead(tmp_path, documents, "svg")
    assert drawn == (8 if (os.cpu_count() or 1) >= 2 else 0)
    assert kept == drawn
    assert there == here
    assert again == 0  # all kept now


def test_charts_for_print_are_kept_apart_as_pdf(counted):
    calls, directory = counted
    page = cache.chart("spc", DOCUMENT)
    printed = cache.printed_chart("spc", DOCUMENT)
    assert cache.is_pdf(printed) and not cache.is_pdf(page.encode())
    assert sorted(p.suffix for p in (directory / "spc").iterdir()) == [".pdf", ".svg"]
    cache.clear_memory()  # as a new process starts
    assert cache.printed_chart("spc", DOCUMENT) == printed and len(calls) == 2


def test_charts_for_print_drawn_ahead_are_those_drawn_here(tmp_path):
    documents = [{**DOCUMENT, "target": 2.0 + shift / 10} for shift in range(8)]
    here, drawn, _, _, there = drawn_here_and_ahead(tmp_path, documents, "pdf")
    assert drawn == (8 if (os.cpu_count() or 1) >= 2 else 0)
    assert there == here  # byte for byte
    assert all(cache.is_pdf(chart) for chart in here)


def _draw_ahead_in_forked_child(directory, documents, send) -> None:
    cache.use_directory(directory)
    cache.clear_memory()
    try:
        send.send(("drawn", cache.draw_ahead([("spc", d, {}) for d in documents])))
    except BaseException as error:  # noqa: BLE001 (the parent reports it)
        send.send(("failed", repr(error)))
    finally:
        send.close()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="charts are drawn ahead on two cores")
def test_a_process_forked_after_charts_were_drawn_ahead_draws_ahead_too(tmp_path):
    """The bench runs each step in a forked child; a child forked after this process
    started its fork server (an earlier pack, say) must still draw charts ahead."""
    documents = [{**DOCUMENT, "target": 3.0 + shift / 10} for shift in range(8)]
    cache.use_directory(tmp_path / "parent")
    cache.clear_memory()
    try:
        assert cache.draw_ahead([("spc", d, {}) for d in documents]) == 8
    finally:
        cache.use_directory(None)
        cache.clear_memory()
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    child_documents = [{**d, "target": d["target"] + 1} for d in documents]
    child = fork.Process(target=_draw_ahead_in_forked_child,
                         args=(tmp_path / "child", child_documents, send))
    child.start()
    send.close()
    answer = receive.recv()
    child.join()
    assert answer == ("drawn", 8)
    assert len(list((tmp_path / "child" / "spc").iterdir())) == 8
    # The parent's fork server still serves the parent.
    cache.use_directory(tmp_path / "parent again")
    try:
        assert cache.draw_ahead([("spc", d, {}) for d in child_documents]) == 8
    finally:
        cache.use_directory(None)
        cache.clear_memory()
