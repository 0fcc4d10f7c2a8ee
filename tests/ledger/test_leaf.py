"""A leaf's aggregate id, whichever form the stored row gives it in."""

import hashlib
import uuid

import pytest

from ledger.leaf import leaf_data, leaf_digest, leaf_of, originator_bytes

ID = uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")


@pytest.mark.parametrize("stored", [ID, ID.hex, str(ID), ID.hex.upper(), "{" + str(ID) + "}"])
def test_every_form_of_an_id_gives_its_sixteen_bytes(stored):
    assert originator_bytes(stored) == ID.bytes


@pytest.mark.parametrize("stored", ["0f 1e2d3c4b5a69788796a5b4c3d2e1f0", "not-a-uuid",
                                    "zz" * 16, ID.hex[:-1]])
def test_text_that_is_no_uuid_is_refused_not_padded(stored):
    with pytest.raises(ValueError):
        originator_bytes(stored)


def test_a_leaf_is_the_same_from_the_id_or_its_bytes():
    state = b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-02T03:04:05+00:00"}}'
    assert leaf_data(7, ID.hex, 3, "m:A.B", state) == leaf_of(7, ID.bytes, 3, "m:A.B", state)
    assert leaf_data(7, ID, 3, "m:A.B", state).startswith(
        (7).to_bytes(8, "big") + ID.bytes + (3).to_bytes(8, "big"))


@pytest.mark.parametrize("topic, state", [
    ("m:A.B", b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-02T03:04:05+00:00"}}'),
    ("registry.submission:Submission.Corrected", b'{"value": 1, "timestamp": {"_type_": '
     b'"datetime_iso", "_data_": "2026-01-02T03:04:05+00:00"}}'),
    ("m:\u00c9v\u00e9nement.\u2713", b"\xff not json"),
    ("m:A.B", b""),
])
def test_the_verifiers_digest_is_the_rfc_leaf_hash_of_the_leaf_data(topic, state):
    expected = hashlib.sha256(b"\x00" + leaf_of(9, ID.bytes, 4, topic, state)).digest()
    assert leaf_digest(9, ID.bytes, 4, topic, state) == expected
    assert leaf_digest(9, ID.bytes, 5, topic, state) != expected
