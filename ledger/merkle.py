"""RFC 6962 / RFC 9162 Merkle trees: tree heads, inclusion and consistency proofs.

Definitions (RFC 6962 section 2.1, restated in RFC 9162 section 2.1), with
SHA-256 as HASH, D[n] = {d(0), ..., d(n-1)} the list of n leaf inputs and D[a:b]
the list {d(a), ..., d(b-1)}:

* The hash of an empty list is the hash of an empty string: ``MTH({}) = HASH()``.
* The hash of a list with one entry (a *leaf hash*) is
  ``MTH({d(0)}) = HASH(0x00 || d(0))``.
* For n > 1, let k be the largest power of two smaller than n (k < n <= 2k).
  The hash of an n-element list is
  ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` (a *node hash*).

The distinct 0x00 / 0x01 prefixes separate leaves from interior nodes, so that no
leaf can be passed off as a node (second pre-image resistance).

Storage model. Every subtree on the left of an RFC split is *perfect* (it has a
power-of-two number of leaves) and *aligned* (it starts at a multiple of its
size), and so is every subtree that is complete once its last leaf is appended.
An append-only ledger therefore keeps those hashes, addressed by
``(level, index)``: the perfect subtree of height ``level`` covering leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes.
Functions here take a ``subtree(level, index) -> bytes`` callback that returns
such a stored hash, and only ever ask for subtrees that lie wholly inside the
tree size they are given, so the callback never needs a node that is not yet
complete. Each of :func:`root`, :func:`inclusion_proof` and
:func:`consistency_proof` makes O(log n) calls.

:class:`Frontier` keeps the right edge of the tree (its "compact range": one
perfect-subtree hash per set bit of the size), reports every subtree that each
append completes (what a ledger stores), and gives the current tree head.

Verification follows the algorithms of RFC 9162 sections 2.1.3.2 (inclusion) and
2.1.4.2 (consistency); they return ``None`` on success and raise
:class:`ProofError` saying what failed otherwise.
"""

from collections.abc import Callable, Sequence
from hashlib import sha256

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "ProofError",
    "Subtree",
    "aligned_subtrees",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "mth",
    "node_hash",
    "root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Bytes in a SHA-256 digest: every leaf hash, node hash, root and proof element."""

EMPTY_ROOT: bytes = sha256(b"").digest()
"""MTH({}) = SHA-256 of the empty string: the root of the tree with no leaves."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

Subtree = Callable[[int, int], bytes]
"""``subtree(level, index)``: the stored hash of the perfect subtree of height
``level`` over leaves ``[index * 2**level, (index + 1) * 2**level)``."""


class ProofError(ValueError):
    """An inclusion or consistency proof failed verification (the message says why)."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: ``MTH({d}) = SHA-256(0x00 || d)``."""
    return sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: ``SHA-256(0x01 || left || right)``."""
    return sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2): RFC 6962's k, k < n <= 2k."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_count(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _range_hash(start: int, count: int, subtree: Subtree) -> bytes:
    """MTH(D[start:start + count]) for count >= 1, from perfect subtrees.

    Valid for every range the RFC recursion produces: there ``start`` is a multiple
    of a power of two at least ``count``, so splitting ``count`` into its binary
    digits, largest first, gives perfect *aligned* subtrees, and folding them from
    the right is exactly the RFC's split-at-the-largest-power-of-two recursion.
    """
    if count & (count - 1) == 0:  # perfect: a single stored node
        level = count.bit_length() - 1
        return subtree(level, start >> level)
    hashes = []
    for level in range(count.bit_length() - 1, -1, -1):
        if count >> level & 1:
            hashes.append(subtree(level, start >> level))
            start += 1 << level
    result = hashes.pop()
    while hashes:
        result = node_hash(hashes.pop(), result)
    return result


def root(size: int, subtree: Subtree) -> bytes:
    """MTH(D[size]), the tree head of the first ``size`` leaves (EMPTY_ROOT for 0).

    Built from the perfect subtrees of the size's binary decomposition: at most
    ``size.bit_length()`` calls of ``subtree``.
    """
    _check_count("size", size)
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, subtree)


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 section 2.1.1 audit path PATH(m, D[n]) for leaf m = ``index``, n = ``size``.

    ``PATH(0, {d(0)}) = {}``; for n > 1 and k the largest power of two below n::

        PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])        for m < k
        PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])    for m >= k

    so the path lists sibling hashes from the leaf up to the root. Needs
    0 <= index < size; at most about 2 * log2(size) calls of ``subtree``.
    """
    _check_count("index", index)
    _check_count("size", size)
    if index >= size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path = []  # collected from the root down, reversed at the end
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:
            # MTH(D[k:n]); once m < k the rest of the walk stays inside a
            # perfect subtree, so only this first right sibling can be imperfect.
            path.append(_range_hash(start + k, n - k, subtree))
            n = k
        else:
            level = k.bit_length() - 1
            path.append(subtree(level, start >> level))  # MTH(D[0:k]), perfect
            start += k
            n -= k
            m -= k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 section 2.1.2 consistency proof PROOF(m, D[n]), m = ``old_size``, n = ``new_size``.

    ``PROOF(m, D[n]) = SUBPROOF(m, D[n], true)`` where ``SUBPROOF(m, D[m], true) = {}``,
    ``SUBPROOF(m, D[m], false) = {MTH(D[m])}`` and, for m < n and k the largest power
    of two below n::

        SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          for m <= k
        SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  for m > k

    As in RFC 9162 section 2.1.4, the proof is empty when ``old_size`` is 0 (every
    tree extends the empty tree) or equals ``new_size``. Needs
    0 <= old_size <= new_size; at most about 2 * log2(new_size) calls of ``subtree``.
    """
    _check_count("old_size", old_size)
    _check_count("new_size", new_size)
    if old_size > new_size:
        raise ValueError(f"old size {old_size} is larger than new size {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    proof = []  # collected from the root down, reversed at the end
    start, n, m, whole_old_tree = 0, new_size, old_size, True
    while m != n:
        k = _split(n)
        if m <= k:
            proof.append(_range_hash(start + k, n - k, subtree))  # MTH(D[k:n])
            n = k
        else:
            level = k.bit_length() - 1
            proof.append(subtree(level, start >> level))  # MTH(D[0:k]), perfect
            start += k
            n -= k
            m -= k
            whole_old_tree = False
    if not whole_old_tree:
        # SUBPROOF(m, D[m], false): reached through an "m <= k" step, so D[m] here
        # is a perfect aligned subtree (a step "m > k" keeps m < n).
        level = n.bit_length() - 1
        proof.append(subtree(level, start >> level))
    proof.reverse()
    return proof


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over a list of *leaf hashes*, by the RFC 6962 recursion, for small in-memory trees.

    ``mth([])`` is EMPTY_ROOT, ``mth([h])`` is ``h`` and otherwise
    ``node_hash(mth(hashes[:k]), mth(hashes[k:]))`` with k the largest power of two
    smaller than the length.
    """
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(mth(leaf_hashes[:k]), mth(leaf_hashes[k:]))


# --- Verification (RFC 9162 section 2.1.3.2 and 2.1.4.2) ---------------------------


def _check_hash(value: object, what: str) -> None:
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        shown = f"{len(value)} bytes" if isinstance(value, (bytes, bytearray)) else type(value).__name__
        raise ProofError(f"{what} must be a {HASH_SIZE}-byte hash, got {shown}")


def _check_proof(proof: Sequence[bytes], expected: int, what: str) -> None:
    if len(proof) != expected:
        raise ProofError(f"{what} must have {expected} hashes, got {len(proof)}")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof element {position}")


def _inclusion_path_length(index: int, size: int) -> int:
    """How many hashes RFC 9162's inclusion loop consumes before sn reaches 0."""
    fn, sn, count = index, size - 1, 0
    while sn:
        if fn == sn and not fn & 1:  # the RFC's extra shifts on the tree's right edge
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        fn >>= 1
        sn >>= 1
        count += 1
    return count


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     expected_root: bytes) -> None:
    """Check that ``leaf`` (a leaf *hash*, see :func:`leaf_hash`) is entry ``index`` of the
    tree of ``size`` leaves whose head is ``expected_root``, by RFC 9162 section 2.1.3.2:

    1. If leaf_index >= tree_size, fail.
    2. Set fn to leaf_index and sn to tree_size - 1.
    3. Set r to the leaf hash.
    4. For each value p in the inclusion path: if sn is 0, fail. If LSB(fn) is set
       or fn == sn, set r = HASH(0x01 || p || r) and, if LSB(fn) is not set,
       right-shift fn and sn equally until LSB(fn) is set or fn is 0; otherwise set
       r = HASH(0x01 || r || p). Then right-shift fn and sn once.
    5. Succeed only if sn is 0 and r equals the root hash.

    Returns ``None``; raises :class:`ProofError` (a ``ValueError``) on any failure,
    including an index outside the tree, a negative argument, a proof of the wrong
    length or an element that is not a 32-byte hash.
    """
    if index < 0 or size < 0:
        raise ProofError(f"index and size must not be negative, got index {index}, size {size}")
    if index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    _check_hash(leaf, "leaf hash")
    _check_hash(expected_root, "expected root")
    _check_proof(proof, _inclusion_path_length(index, size),
                 f"an inclusion proof for leaf {index} in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:  # unreachable after the length check; kept as the RFC states it
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    if r != expected_root:
        raise ProofError(f"inclusion proof for leaf {index} in a tree of size {size} "
                         f"leads to root {r.hex()}, not the expected {bytes(expected_root).hex()}")


def _consistency_path_length(old_size: int, new_size: int) -> int:
    """Hashes in a consistency proof for 0 < old_size < new_size (RFC 9162 loop, dry run)."""
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    count = 0
    while sn:
        if fn == sn and not fn & 1:  # the RFC's extra shifts on the tree's right edge
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        fn >>= 1
        sn >>= 1
        count += 1
    # The path holds a first hash plus one per iteration; when old_size is a power
    # of two that first hash is the old root itself, which the proof leaves out.
    return count if old_size & (old_size - 1) == 0 else count + 1


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Check that the tree of ``new_size`` leaves with head ``new_root`` extends the tree
    of ``old_size`` leaves with head ``old_root``, by RFC 9162 section 2.1.4.2.

    For 0 < first < second:

    1. If the consistency path is empty, fail.
    2. If first is an exact power of 2, prepend first_hash to the path.
    3. Set fn to first - 1 and sn to second - 1.
    4. If LSB(fn) is set, right-shift fn and sn equally until LSB(fn) is not set.
    5. Set both fr and sr to the first value in the path.
    6. For each subsequent value c: if sn is 0, fail. If LSB(fn) is set or fn == sn,
       set fr = HASH(0x01 || c || fr) and sr = HASH(0x01 || c || sr) and, if LSB(fn)
       is not set, right-shift fn and sn equally until LSB(fn) is set or fn is 0;
       otherwise set sr = HASH(0x01 || sr || c). Then right-shift fn and sn once.
    7. Succeed only if fr equals first_hash, sr equals second_hash and sn is 0.

    Trivial cases (RFC 9162 section 2.1.4.1 gives them empty proofs): equal sizes
    need an empty proof and equal roots; an old size of 0 needs an empty proof and
    ``old_root == EMPTY_ROOT`` (any new tree extends the empty one, so ``new_root``
    is not constrained). Returns ``None``; raises :class:`ProofError` (a
    ``ValueError``) on any failure, including negative or decreasing sizes.
    """
    if old_size < 0 or new_size < 0:
        raise ProofError(f"sizes must not be negative, got {old_size} and {new_size}")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    if old_size == new_size:
        _check_proof(proof, 0, "a consistency proof between equal sizes")
        if old_root != new_root:
            raise ProofError(f"trees of the same size {old_size} have different roots")
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree must be EMPTY_ROOT")
        return
    if old_size == 0:
        _check_proof(proof, 0, "a consistency proof from the empty tree")
        if old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree must be EMPTY_ROOT")
        return
    if not proof:
        raise ProofError(f"consistency proof from size {old_size} to {new_size} is empty")
    _check_proof(proof, _consistency_path_length(old_size, new_size),
                 f"a consistency proof from size {old_size} to {new_size}")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:  # unreachable after the length check; kept as the RFC states it
            raise ProofError("consistency proof is longer than the path to the new root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the new root")
    if fr != old_root:
        raise ProofError(f"consistency proof from size {old_size} to {new_size} leads to old "
                         f"root {fr.hex()}, not the given {bytes(old_root).hex()}")
    if sr != new_root:
        raise ProofError(f"consistency proof from size {old_size} to {new_size} leads to new "
                         f"root {sr.hex()}, not the given {bytes(new_root).hex()}")


# --- Frontier ------------------------------------------------------------------------


def aligned_subtrees(start: int, leaves: Sequence[bytes], keep_from: int = 1
                     ) -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]]]:
    """The leaf hashes ``leaves`` of leaves ``start`` onwards, as the largest aligned
    perfect subtrees they make, left to right: each ``(level, index, hash)``. Also every
    node inside those subtrees of level ``keep_from`` (at least 1) or more, the subtrees
    themselves included: subtree by subtree, each a level at a time, lowest first.

    These are the nodes a :class:`Frontier` of ``start`` leaves would report completed
    while the leaves are appended, except those that also cover leaves before ``start``
    or after the last: appending the subtrees with :meth:`Frontier.append_subtree`
    reports those."""
    _check_count("start", start)
    keep_from = max(1, keep_from)
    subtrees: list[tuple[int, int, bytes]] = []
    kept: list[tuple[int, int, bytes]] = []
    at, end, offset = start, start + len(leaves), 0
    while at < end:
        level = (at & -at).bit_length() - 1 if at else end.bit_length()
        while 1 << level > end - at:
            level -= 1
        nodes = leaves[offset:offset + (1 << level)]
        for height in range(1, level + 1):
            nodes = [sha256(_NODE_PREFIX + left + right).digest()
                     for left, right in zip(nodes[0::2], nodes[1::2])]
            if height >= keep_from:
                first = at >> height
                kept.extend((height, first + i, node) for i, node in enumerate(nodes))
        subtrees.append((level, at >> level, nodes[0]))
        at += 1 << level
        offset += 1 << level
    return subtrees, kept


class Frontier:
    """The right edge of an append-only tree: O(log n) perfect-subtree hashes (a 'compact range').

    For a tree of ``size`` leaves it holds one hash per set bit of ``size``: the
    perfect aligned subtrees that the binary decomposition of ``size`` gives, from
    the largest (leftmost) to the smallest (rightmost). The tree head is those
    hashes folded from the right with :func:`node_hash`.
    """

    __slots__ = ("_hashes", "size")

    def __init__(self) -> None:
        self.size = 0
        self._hashes: list[bytes] = []

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf *hash*; return every perfect subtree it completes, lowest first.

        Each is ``(level, index, hash)`` in the addressing of the ``subtree``
        callback, starting with ``(0, size - 1, leaf)`` for the leaf itself (``size``
        being the new size); these are exactly the nodes a ledger stores.
        Amortised cost: one node hash per append.
        """
        return self.append_subtree(0, leaf)

    def append_subtree(self, level: int, node: bytes) -> list[tuple[int, int, bytes]]:
        """Add the ``2**level`` leaves of a perfect subtree at once, given its hash (the
        tree's size must be a multiple of ``2**level``: the subtree is aligned); return
        every perfect subtree this completes, lowest first, starting with the subtree
        itself, as :meth:`append` does for a leaf (level 0). Appending the subtrees of
        :func:`aligned_subtrees` in order is appending their leaves one by one."""
        if self.size & ((1 << level) - 1):
            raise ValueError(f"a subtree of level {level} cannot follow {self.size} leaves: "
                             "it would not be aligned")
        index = self.size >> level
        self.size += 1 << level
        completed = [(level, index, node)]
        if index & 1:
            hashes = self._hashes
            while index & 1:  # each trailing 1 bit of the old size merges two subtrees
                node = sha256(_NODE_PREFIX + hashes.pop() + node).digest()
                index >>= 1
                level += 1
                completed.append((level, index, node))
            hashes.append(node)
        else:
            self._hashes.append(node)
        return completed

    def root(self) -> bytes:
        """MTH of all leaves appended so far (EMPTY_ROOT when there are none)."""
        hashes = self._hashes
        if not hashes:
            return EMPTY_ROOT
        result = hashes[-1]
        for i in range(len(hashes) - 2, -1, -1):
            result = node_hash(hashes[i], result)
        return result

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The compact range: the frontier's subtree hashes, largest subtree first."""
        return tuple(self._hashes)

    @classmethod
    def resume(cls, size: int, subtree: Subtree) -> "Frontier":
        """Rebuild the frontier of a tree of ``size`` leaves from stored perfect subtrees.

        Makes one ``subtree`` call per set bit of ``size``.
        """
        _check_count("size", size)
        hashes, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                hashes.append(subtree(level, start >> level))
                start += 1 << level
        return cls.restore(size, hashes)

    @classmethod
    def restore(cls, size: int, hashes) -> "Frontier":
        """The frontier of ``size`` leaves from its saved ``hashes`` (largest subtree first)."""
        _check_count("size", size)
        hashes = list(hashes)
        if len(hashes) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} frontier hashes, "
                             f"not {len(hashes)}")
        frontier = cls()
        frontier._hashes, frontier.size = hashes, size
        return frontier

    def __repr__(self) -> str:
        return f"Frontier(size={self.size}, root={self.root().hex()})"
