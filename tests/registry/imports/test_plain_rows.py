"""The import's fast loading of plain submission rows gives what the schema gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.commands import load
from registry.commands.submissions import Submit
from registry.errors import InvalidInput
from registry.imports.submissions import COLUMNS, _RULES, _plain_row

PLAIN = {"provider": "ry6", "indicator": "WIC4H", "service_line": "walk_in_centres",
         "period": "2018-12", "numerator": "90", "denominator": "100", "value": "", "sd": "",
         "n": "", "note": ""}
cells = st.one_of(
    st.sampled_from(["", " ", "0", "-0", "7", "007", "1e3", " 5", "5 ", "+5", "1.50", "-2.25",
                     "1000000000000", "1000000000001", "-1000000000001", "nan", "Infinity",
                     "12.", ".5", "RY6", " ry6 ", "R", "WIC4H", "walk_in_centres",
                     " walk_in_centres", "2018-12", " 2018-12 ", "2018-13", "2018/19",
                     "2018-Q3", "x" * 2001, "a\x00b", "note", "é", "ß" * 3]),
    st.text(max_size=8), st.integers(-10, 10**13).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str))


def schema(record: dict):
    try:
        return load(Submit, record)
    except InvalidInput as error:
        return error


def test_the_fast_path_is_on_for_the_schema_as_it_is():
    assert _RULES is not None
    assert _plain_row(dict(PLAIN)) is not None


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({name: cells for name in COLUMNS}))
def test_a_row_loaded_fast_equals_the_schema_load_with_its_keys_in_order(record):
    fast = _plain_row(record)
    if fast is None:
        return  # the schema loads it (or names what is wrong)
    expected = schema(record)
    assert not isinstance(expected, InvalidInput), (record, fast)
    assert list(fast.items()) == list(expected.items())
    assert [type(v) for v in fast.values()] == [type(v) for v in expected.values()]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS), cells), st.sampled_from(COLUMNS))
def test_plain_rows_with_a_changed_cell_still_agree(changes, _):
    record = {**PLAIN, **changes}
    fast = _plain_row(record)
    if fast is not None:
        assert list(fast.items()) == list(schema(record).items())


def test_anything_else_goes_through_the_schema():
    assert _plain_row({**PLAIN, "received_on": "2019-01-05"}) is None
    assert _plain_row({**PLAIN, "extra": "1"}) is None
    assert _plain_row({**PLAIN, "numerator": " 90"}) is None
    assert _plain_row({**PLAIN, "provider": ""}) is None
