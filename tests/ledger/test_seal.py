"""The journal's fast seal is the HMAC-SHA256 the standard library computes."""

import hashlib
import hmac

import pytest

from ledger.journal import Sealer, seal, sealer


@pytest.mark.parametrize("key", [b"", b"k", b"k" * 32, b"k" * 64, b"k" * 65, bytes(range(200))])
def test_the_sealer_gives_the_standard_hmac(key):
    digest = hashlib.sha256(b"leaf").hexdigest()
    for index, position in ((0, 1), (7, 12), (2**40, 2**41 + 3)):
        assert Sealer(key).seal(index, position, digest) == seal(key, index, position, digest)
        assert seal(key, index, position, digest) == hmac.new(
            key, index.to_bytes(8, "big") + position.to_bytes(8, "big") + bytes.fromhex(digest),
            hashlib.sha256).hexdigest()


def test_one_sealer_is_kept_per_key():
    assert sealer(b"a" * 32) is sealer(b"a" * 32)
    assert sealer(b"a" * 32) is not sealer(b"b" * 32)
