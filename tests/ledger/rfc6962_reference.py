"""A deliberately naive RFC 6962 section 2.1 Merkle tree, written straight from the RFC text.

Used only as an oracle in tests: it shares no code with ``ledger.merkle`` and makes
no attempt at efficiency (every call rehashes the leaf data it is given). D is a
list of leaf *inputs* (bytes), and D[a:b] is Python slicing. The names are the RFC's.
"""

import hashlib


def _hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def MTH(D: list[bytes]) -> bytes:
    """MTH({}) = SHA-256(); MTH({d(0)}) = SHA-256(0x00 || d(0));
    MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) for n > 1."""
    n = len(D)
    if n == 0:
        return _hash(b"")
    if n == 1:
        return _hash(b"\x00" + D[0])
    k = _k(n)
    return _hash(b"\x01" + MTH(D[0:k]) + MTH(D[k:n]))


def PATH(m: int, D: list[bytes]) -> list[bytes]:
    """PATH(0, {d(0)}) = {};
    PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k;
    PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k."""
    n = len(D)
    assert 0 <= m < n
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return PATH(m, D[0:k]) + [MTH(D[k:n])]
    return PATH(m - k, D[k:n]) + [MTH(D[0:k])]


def SUBPROOF(m: int, D: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])};
    for m < n: SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) if m <= k,
    else SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])."""
    n = len(D)
    if m == n:
        return [] if b else [MTH(D)]
    k = _k(n)
    if m <= k:
        return SUBPROOF(m, D[0:k], b) + [MTH(D[k:n])]
    return SUBPROOF(m - k, D[k:n], False) + [MTH(D[0:k])]


def PROOF(m: int, D: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m <= n."""
    assert 0 < m <= len(D)
    return SUBPROOF(m, D, True)
