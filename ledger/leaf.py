"""The ledger's leaf: a canonical serialisation of one stored event.

Leaf data (version 1), all integers unsigned big-endian::

    position        8 bytes   the event's notification id (its place in the log)
    originator id  16 bytes   the aggregate's UUID, as raw bytes
    version         8 bytes   the aggregate version the event created
    topic           4-byte length + UTF-8
    recorded at     4-byte length + ASCII ISO 8601 timestamp (as stored, UTC)
    state           4-byte length + the stored state bytes, exactly as stored

The leaf hash is RFC 6962's SHA-256(0x00 || leaf data). The recorded time is the
event's own ``timestamp`` from its stored state (JSON); it is repeated as a field so
that a leaf says when it was recorded without decoding the state. Anything that
changes a stored row (payload, topic, version, aggregate, position) changes the hash.
"""

import json
import struct
from functools import lru_cache
from hashlib import sha256
from uuid import UUID

_HEAD = struct.Struct(">Q16sQI")
_LENGTH = struct.Struct(">I")
_PREFIX = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'


def recorded_at(state: bytes) -> bytes:
    """The ISO timestamp inside a stored state, or b"" when the state has none."""
    if state.startswith(_PREFIX):
        end = state.find(b'"', len(_PREFIX))
        if end > 0:
            return state[len(_PREFIX):end]
    try:
        stamp = json.loads(state).get("timestamp")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return b""
    if isinstance(stamp, dict) and isinstance(stamp.get("_data_"), str):
        return stamp["_data_"].encode("ascii", "replace")
    return b""


def originator_bytes(originator_id: UUID | str) -> bytes:
    """The 16 bytes of an aggregate id as a stored row gives it: a ``UUID`` (PostgreSQL) or
    text (SQLite's 32 hex digits read directly; any other form as ``UUID`` reads it)."""
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    if len(originator_id) == 32:
        try:
            raw = bytes.fromhex(originator_id)
        except ValueError:
            raw = b""
        if len(raw) == 16:  # fromhex skips spaces: fewer bytes, then UUID decides
            return raw
    return UUID(str(originator_id)).bytes


def dashed(raw: bytes) -> str:
    """An aggregate id's 16 bytes as ``str(UUID)`` writes them (as the journal holds it)."""
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def leaf_data(position: int, originator_id: UUID | str, version: int, topic: str,
              state: bytes) -> bytes:
    return leaf_of(position, originator_bytes(originator_id), version, topic, state)


def leaf_of(position: int, originator: bytes, version: int, topic: str,
            state: bytes) -> bytes:
    """``leaf_data`` of an aggregate id given as its 16 bytes."""
    topic_bytes = _encoded(topic)
    stamp = recorded_at(state)
    return b"".join((
        _HEAD.pack(position, originator, version, len(topic_bytes)), topic_bytes,
        _LENGTH.pack(len(stamp)), stamp, _LENGTH.pack(len(state)), state))


def leaf_digest(position: int, originator: bytes, version: int, topic: str,
                state: bytes) -> bytes:
    """``leaf_hash(leaf_of(...))``, the leaf's prefix and fields joined once: the
    verifier's per-event step (a log has a handful of topics; each is encoded once)."""
    topic_bytes = _encoded(topic)
    stamp = recorded_at(state)
    return sha256(b"".join((
        b"\x00", _HEAD.pack(position, originator, version, len(topic_bytes)), topic_bytes,
        _LENGTH.pack(len(stamp)), stamp, _LENGTH.pack(len(state)), state))).digest()


@lru_cache(maxsize=4096)
def _encoded(topic: str) -> bytes:
    return topic.encode("utf-8")


def event_leaf_hash(position: int, originator_id, version: int, topic: str,
                    state: bytes) -> bytes:
    return leaf_digest(position, originator_bytes(originator_id), version, topic,
                       bytes(state))


def parse_leaf(data: bytes) -> dict:
    """The fields of a leaf, for auditors and proof files (the inverse of leaf_data)."""
    position, originator, version, topic_length = _HEAD.unpack_from(data, 0)
    offset = _HEAD.size
    topic = data[offset:offset + topic_length]
    offset += topic_length
    (stamp_length,) = _LENGTH.unpack_from(data, offset)
    offset += _LENGTH.size
    stamp = data[offset:offset + stamp_length]
    offset += stamp_length
    (state_length,) = _LENGTH.unpack_from(data, offset)
    offset += _LENGTH.size
    state = data[offset:offset + state_length]
    if offset + state_length != len(data):
        raise ValueError("leaf data has trailing bytes")
    return {"position": position, "originator_id": str(UUID(bytes=originator)),
            "version": version, "topic": topic.decode("utf-8"),
            "recorded_at": stamp.decode("ascii"), "state": state}
