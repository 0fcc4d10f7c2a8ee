"""Every CSV importer against generated hostile files (hypothesis), on both engines.

Files are built from each kind's columns in any order, sometimes one missing, one extra,
or one repeated; rows of plausible values (some valid, some not) mixed with formula-like
cells, control and right-to-left characters, emoji, quotes and line breaks, huge fields,
short and long rows; saved as UTF-8, UTF-8 with a BOM, UTF-16, Latin-1 or Windows-1252,
sometimes with a NUL byte, an unclosed quote or stray bytes. Whatever the file, the import
(sometimes restating, with or without a reason) either stores it (exactly the
events it reports) or refuses it with ImportRejected naming
at least one problem and stores nothing; no other exception, and no read model stopped.
"""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.imports import KINDS, ImportOptions, import_csv
from registry.imports.reader import MAX_FIELD, ImportRejected
from tests.builders import ADMIN, event_count, seed

HOSTILE = ["=1+1", "=HYPERLINK(\"http://x\")", "+SUM(1)", "-1", "@A1", "\t=x", "a\r\nb",
           '"', '""', ",", "😀", "\u202eevil", "\ufeff", " ", "ÿ", "ᚠ", "0x10", "1e309",
           "NaN", "-inf", "999999999999999999999999", "x" * 5000, "x" * (MAX_FIELD + 1)]
TEXT = ["=1+1 Trust", "+44 Trust", "-Trust", "@Trust", "Trust 😀", "\u202eTrust",
        'The "Trust", Ltd', "Line\nbreak", "Ünïcödé"]  # free text a file may carry
VALID = {  # rows each file starts from (on the seeded store); free-text columns named
    "organisations": ([
        {"code": "ZZ1", "name": "Fuzz Trust", "kind": "nhs_trust", "region": "Y54",
         "opened": "2001-01-01", "closed": ""},
        {"code": "ZZ2", "name": "Fuzz CIC", "kind": "cic", "region": "", "opened": "",
         "closed": ""}], ["name"]),
    "indicators": ([
        {"code": "FZ1", "name": "Fuzz count", "domain": "quality", "subdomain": "",
         "service_lines": "podiatry", "measure": "count", "unit": "cases",
         "multiplier": "", "polarity": "none", "frequency": "annual", "target": ""},
        {"code": "FZ2", "name": "Fuzz share", "domain": "performance",
         "subdomain": "waiting_times", "service_lines": "podiatry;audiology",
         "measure": "proportion", "unit": "%", "multiplier": "", "polarity": "higher",
         "frequency": "monthly", "target": "90"}], ["name", "unit"]),
    "submissions": ([
        {"provider": "RY6", "indicator": "WIC4H", "service_line": "walk_in_centres",
         "period": "2018-12", "numerator": "90", "denominator": "100", "value": "",
         "sd": "", "n": "", "note": ""},
        {"provider": "RY6", "indicator": "PU1000", "service_line": "district_nursing",
         "period": "2018-Q3", "numerator": "5", "denominator": "1000", "value": "",
         "sd": "", "n": "", "note": ""},
        {"provider": "RYX", "indicator": "WAITD", "service_line": "podiatry",
         "period": "2018/19", "numerator": "", "denominator": "", "value": "12.5",
         "sd": "3", "n": "40", "note": ""}], ["note"]),
    "contracts": ([
        {"reference": "FZ-1", "commissioner": "QWO", "provider": "RY6",
         "service_lines": "district_nursing", "annual_value": "1000", "total_value": "3000",
         "start": "2022-07-01", "end": "2025-06-30", "route": "direct_award"}], []),
    "milestones": ([
        {"provider": "RY6", "milestone": "tfa", "target_date": "2013-03-31",
         "achieved_date": "", "note": ""},
        {"provider": "RY6", "milestone": "ibp_ltfm", "target_date": "2013-09-30",
         "achieved_date": "", "note": ""}], ["note"]),
}
WRONG = ["", "ZZZ", "bad", "2018-13", "2013-02-30", "-1", "0", "1.5", "1e400", "3018-01",
         "weird", "nope;podiatry", "QWO", "RY6"]  # values that break some column's rules
ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]


@st.composite
def hostile_files(draw, kind: str) -> bytes:
    """A valid file of this kind, then damaged (or not) in the ways listed above."""
    columns = list(KINDS[kind].COLUMNS)
    valid, free_text = VALID[kind]
    base = draw(st.lists(st.sampled_from(valid), min_size=1, max_size=len(valid),
                         unique_by=lambda r: tuple(r.values())))
    rows = [dict(row) for row in base]
    for row in rows:
        for column in free_text:
            if draw(st.booleans()):
                row[column] = draw(st.sampled_from(TEXT))
        if draw(st.integers(0, 3)) == 0:  # one cell made wrong or hostile
            column = draw(st.sampled_from(columns))
            row[column] = draw(st.one_of(st.sampled_from(WRONG), st.sampled_from(HOSTILE),
                                         st.text(max_size=12)))

    header = draw(st.permutations(columns))
    change = draw(st.sampled_from(["none"] * 6 + ["missing", "extra", "repeated", "upper",
                                                  "no header"]))
    if change == "missing":
        header.remove(draw(st.sampled_from(header)))
    elif change == "extra":
        header.insert(draw(st.integers(0, len(header))),
                      draw(st.sampled_from(["colour", "=1+1", "", "code "])))
    elif change == "repeated":
        header.append(draw(st.sampled_from(header)))
    table = [[row.get(c, "x") for c in header] for row in rows]
    if change == "upper":
        header = [h.upper() for h in header]
    for cells in table:
        width = draw(st.sampled_from(["same"] * 8 + ["short", "long"]))
        if width == "short":
            cells.pop()
        elif width == "long":
            cells.append(draw(st.sampled_from(HOSTILE)))

    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    if change != "no header":
        writer.writerow(header)
    writer.writerows(table)
    text = out.getvalue()
    damage = draw(st.sampled_from(["none"] * 10 + ["nul", "open quote", "bytes", "empty"]))
    if damage == "nul":
        text = text.replace(",", ",\x00", 1)
    elif damage == "open quote":
        text += '"unclosed,' + "\n"
    elif damage == "empty":
        text = draw(st.sampled_from(["", "\n\n", " , ,\n"]))
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if damage == "bytes":
        data += draw(st.binary(min_size=1, max_size=8))
    return data


@pytest.fixture
def seeded(app):
    seed(app)
    return app


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_hostile_file_is_stored_whole_or_refused_with_reasons(seeded, kind):
    outcomes = {"stored": 0, "refused": 0, "stored nothing new": 0}

    @settings(max_examples=60, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(hostile_files(kind),
           st.sampled_from([None] * 4 + ["fuzzed correction"] * 2 + [" "]))
    def attack(data, restating):
        before = event_count(seeded)
        options = ImportOptions(restate=restating is not None, reason=restating)
        try:
            report = import_csv(seeded, kind, data, "fuzz.csv", ADMIN, options)
        except ImportRejected as rejected:
            assert rejected.errors and all(str(e).strip() for e in rejected.errors)
            assert event_count(seeded) == before
            outcomes["refused"] += 1
            return
        signed = 1 if report.checkpoint else 0
        assert event_count(seeded) == before + report.events + signed
        outcomes["stored" if report.events else "stored nothing new"] += 1

    attack()
    assert outcomes["refused"] > 0 and outcomes["stored"] > 0, outcomes
    seeded.read_side.catch_up()
    assert [(s["name"], s["error"]) for s in seeded.read_side.status() if s["error"]] == []
