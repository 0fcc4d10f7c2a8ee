"""The read side's fast decoding (``LoggedEvent.plain``) gives exactly what the library's
mapper decodes, made plain: every read model that files JSON records relies on it."""

import json
from datetime import datetime, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from projections.eventlog import LoggedEvent, plain, plain_json, plain_state, read_events
from projections.timestamps import stamp
from tests.builders import provider_of, seed, wic

TRICKY_NOTE = 'looks like a marker: {"_type_":"date_iso","_data_":"2020-01-01"} \\ "quoted"'


def typed_and_fast(app):
    """Each stored event twice: decoded by the mapper, and by the fast path alone."""
    for logged in read_events(app):
        fast = LoggedEvent(logged.position, logged.aggregate_id, logged.version, logged.topic,
                           notification=logged.notification, mapper=app.mapper)
        yield logged, fast


def test_fast_records_equal_the_mappers_made_plain(app):
    seed(app)
    app.submit(wic(note=TRICKY_NOTE), provider_of("RY6"))
    app.submit({"provider": "RY6", "indicator": "WAITD", "service_line": "podiatry",
                "period": "2018/19", "value": "12.50", "sd": "3.1", "n": 40},
               provider_of("RY6"))
    app.restate(wic(numerator=91), provider_of("RY6", reason="typo"))
    compared = 0
    for typed, fast in typed_and_fast(app):
        assert fast.as_dict() == plain(typed.as_dict(plain_values=False))
        assert fast.plain_data == plain(typed.data)
        assert fast.recorded_stamp == stamp(typed.recorded_at)
        assert fast.key == str(typed.aggregate_id)
        compared += 1
    assert compared > 10
    notes = [fast.plain_data.get("note") for _, fast in typed_and_fast(app)]
    assert TRICKY_NOTE in notes  # marker-like text inside a string is left as it is


def test_decimals_keep_their_written_form():
    state = (b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-01-02T03:04:05+00:00"},'
             b'"values":{"value":{"_type_":"decimal_str","_data_":"12.50"},"n":4}}')
    got = plain_state(state)
    assert got == {"timestamp": "2024-01-02T03:04:05+00:00",
                   "values": {"value": "12.50", "n": 4}}
    assert got["values"]["value"] == str(Decimal("12.50"))


def test_uuids_are_written_dashed_as_plain_writes_them():
    u = UUID("12345678-1234-5678-1234-567812345678")
    state = ('{"contract":{"_type_":"uuid_hex","_data_":"%s"}}' % u.hex).encode()
    assert plain_state(state) == {"contract": str(u)}


def test_an_unknown_custom_type_goes_through_the_mappers_transcoder(app):
    class Transcoder:
        def decode(self, data: bytes):
            return {"when": datetime(2024, 5, 6, tzinfo=timezone.utc), "raw": json.loads(
                data)["other"]["_data_"]}

    class Mapper:
        transcoder = Transcoder()

    state = b'{"other":{"_type_":"something_else","_data_":"x"}}'
    assert plain_state(state, Mapper()) == {"when": "2024-05-06T00:00:00+00:00", "raw": "x"}
    with pytest.raises(ValueError, match="needs the mapper"):
        plain_state(state)


def test_a_recorded_time_without_microseconds_is_stamped_like_the_typed_one(app):
    seed(app)
    [first, *_] = read_events(app)
    whole = LoggedEvent(1, first.aggregate_id, 1, first.topic)
    whole._plain = {"timestamp": "2024-01-02T03:04:05+00:00"}
    assert whole.recorded_stamp == stamp(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert whole.recorded_stamp == "2024-01-02T03:04:05.000000Z"


def test_plain_json_sorts_keys_and_writes_plain_values():
    value = {"b": [1, (2, 3)], "a": {"d": Decimal("1.50"), "u": UUID(int=5),
                                     "t": datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)}}
    text = plain_json(value)
    assert json.loads(text) == plain(value)
    assert list(json.loads(text)) == ["a", "b"]
    assert plain_json({"big": 2 ** 70}) == '{"big":1180591620717411303424}'


def test_events_built_in_memory_give_the_same_plain_state(app):
    """Inline projections see events before they are stored: no notification to decode."""
    seed(app)
    for typed, fast in typed_and_fast(app):
        in_memory = LoggedEvent(typed.position, typed.aggregate_id, typed.version,
                                typed.topic, event=typed.event)
        assert in_memory.as_dict() == fast.as_dict()
