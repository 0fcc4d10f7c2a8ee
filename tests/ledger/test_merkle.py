"""ledger.merkle against the published RFC 6962 vectors, a naive reference
implementation of RFC 6962 (tests/ledger/rfc6962_reference.py) and tampered proofs."""

import functools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    aligned_subtrees,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    mth,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)
from tests.ledger import rfc6962_reference as ref


def h(hex_string: str) -> bytes:
    return bytes.fromhex(hex_string)


# --- Published vectors -------------------------------------------------------------
#
# Restated from github.com/transparency-dev/merkle:
#   testonly/constants.go       LeafInputs, NodeHashes, RootHashes, CompactTrees, EmptyRootHash
#   testonly/reference_test.go  TestRefInclusionProof, TestRefConsistencyProof
#   proof/verify_test.go        inclusionProofs, consistencyProofs, roots, leaves (its leaf
#                               numbers are 1-based; restated here 0-based)
# The same leaves, roots and consistency proofs are in google/certificate-transparency
# (python/ct/crypto/merkle_test.py, "lifted from the C++ branch"), which also gives
# CT_LOG_INCLUSION below: an audit path taken from a real CT log.

LEAF_INPUTS = [h(x) for x in (
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]

# NODE_HASHES[level][index]: every perfect subtree of the 8-leaf tree (level 0 = leaf hashes).
NODE_HASHES = [[h(x) for x in level] for level in (
    (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ),
    (
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ),
    (
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ),
    (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ),
)]

# ROOTS[size] for the first `size` leaf inputs.
ROOTS = [h(x) for x in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]

# COMPACT_TREES[size]: the frontier (compact range) after `size` leaves, as (level, index).
COMPACT_TREES = [
    [],
    [(0, 0)],
    [(1, 0)],
    [(1, 0), (0, 2)],
    [(2, 0)],
    [(2, 0), (0, 4)],
    [(2, 0), (1, 2)],
    [(2, 0), (1, 2), (0, 6)],
    [(3, 0)],
]

# (leaf index, tree size, PATH(index, D[size]))
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]),
    (0, 8, [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]),
    (5, 8, [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]),
]

# (old size, new size, PROOF(old, D[new]))
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (1, 8, [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]),
    (6, 8, [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]),
    (2, 5, [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]),
    (6, 7, [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]),
]

# google/certificate-transparency python/ct/crypto/merkle_test.py (MerkleVerifierTest):
# leaf hash, leaf index, tree size, audit path, root of a real CT log.
CT_LOG_INCLUSION = (
    h("7a395c866d5ecdb0cccb623e011dbc392cd348d1d1d72776174e127a24b09c78"),
    848049,
    3630887,
    [h(x) for x in (
        "1a208aeebcd1b39fe2de247ee8db9454e1e93a312d206b87f6ca9cc6ec6f1ddd",
        "0a1b78b383f580856f433c01a5741e160d451c185910027f6cc9f828687a40c4",
        "3d1745789bc63f2da15850de1c12a5bf46ed81e1cc90f086148b1662e79aab3d",
        "9095b61e14d8990acf390905621e62b1714fb8e399fbb71de5510e0aef45affe",
        "0a332b91b8fab564e6afd1dd452449e04619b18accc0ff9aa8393cd4928451f2",
        "2336f0181d264aed6d8f3a6507ca14a8d3b3c3a23791ac263e845d208c1ee330",
        "b4ce56e300590500360c146c6452edbede25d4ed83919278749ee5dbe178e048",
        "933f6ddc848ea562e4f9c5cfb5f176941301dad0c6fdb9d1fbbe34fac1be6966",
        "b95a6222958a86f74c030be27c44f57dbe313e5e7c7f4ffb98bcbd3a03bb52f2",
        "daeeb3ce5923defd0faeb8e0c210b753b85b809445d7d3d3cd537a9aabaa9c45",
        "7fadd0a13e9138a2aa6c3fdec4e2275af233b94812784f66bcca9aa8e989f2bc",
        "1864e6ba3e32878610546539734fb5eeae2529991f130c575c73a7e25a2a7c56",
        "12842d1202b1dc6828a17ab253c02e7ce9409b5192430feba44189f39cc02d66",
        "29af64b16fa3053c13d02ac63aa75b23aa468506e44c3a2315edc85d2dc22b11",
        "b527b99934a0bd9edd154e449b0502e2c499bba783f3bc3dfe23364b6b532009",
        "4584db8ae8e351ace08e01f306378a92bfd43611714814f3d834a2842d69faa8",
        "86a9a41573b0d6e4292f01e93243d6cc65b30f06606fc6fa57390e7e90ed580f",
        "a88b98fbe84d4c6aae8db9d1605dfac059d9f03fe0fcb0d5dff1295dacba09e6",
        "06326dc617a6d1f7021dc536026dbfd5fffc6f7c5531d48ef6ccd1ed1569f2a1",
        "f41fe8fdc3a2e4e8345e30216e7ebecffee26ff266eeced208a6c2a3cf08f960",
        "40cf5bde8abb76983f3e98ba97aa36240402975674e120f234b3448911090f8d",
        "b3222dc8658538079883d980d7fdc2bef9285344ea34338968f736b04aeb387a",
    )],
    h("78316a05c9bcf14a3a4548f5b854a9adfcd46a4c034401b3ce7eb7ac2f1d0ecb"),
)

SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


# --- Helpers -----------------------------------------------------------------------


def bounded(nodes: dict, size: int):
    """A dict-backed ``subtree`` callback that refuses any node not yet complete at ``size``."""
    def subtree(level: int, index: int) -> bytes:
        assert level >= 0 and index >= 0, (level, index)
        assert (index + 1) << level <= size, f"node ({level}, {index}) is not complete at size {size}"
        return nodes[level, index]
    return subtree


PUBLISHED_NODES = {(level, index): value
                   for level, row in enumerate(NODE_HASHES) for index, value in enumerate(row)}


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def path_shape(m: int, n: int) -> tuple[str, ...]:
    """Which side each hash of PATH(m, D[n]) joins on, leaf first (from the RFC recursion).

    Two (index, size) pairs with the same shape make the verifier do the same hashing,
    so a proof for one passes for the other with the same root (the size is bound by
    the signed tree head, not by the proof); pairs with different shapes never do.
    """
    sides = []
    while n > 1:
        k = split(n)
        if m < k:
            sides.append("right")
            n = k
        else:
            sides.append("left")
            m, n = m - k, n - k
    return tuple(reversed(sides))


def proof_shape(m: int, n: int) -> tuple[bool, tuple[str, ...]]:
    """The structure of SUBPROOF(m, D[n], true) for 0 < m < n, last step first: whether
    the old root is the whole left-edge subtree (left out of the proof), and for each
    element whether it joins old and new trees on the left or only the new tree on the right."""
    whole_old, sides = True, []
    while m != n:
        k = split(n)
        if m <= k:
            sides.append("new-right")
            n = k
        else:
            sides.append("both-left")
            m, n, whole_old = m - k, n - k, False
    return whole_old, tuple(reversed(sides))


def flip(value: bytes, bit: int = 3) -> bytes:
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


def inclusion_probes(index: int, size: int, proof: list[bytes], root_hash: bytes,
                     leaf: bytes):
    """Tampered variants of a valid inclusion proof, as transparency-dev/merkle's
    corruptInclusionProof builds them, plus a few more. Yields (description, args)."""
    for wrong_index in {index - 1, index + 1, index ^ 1, index ^ 2, index + size, -1}:
        if wrong_index != index:
            yield f"index {wrong_index}", (leaf, wrong_index, size, proof, root_hash)
    yield "wrong leaf", (leaf_hash(b"wrong leaf"), index, size, proof, root_hash)
    yield "leaf data, not its hash", (b"WrongLeaf", index, size, proof, root_hash)
    yield "empty root", (leaf, index, size, proof, EMPTY_ROOT)
    yield "random root", (leaf, index, size, proof, SOME_HASH)
    yield "flipped root", (leaf, index, size, proof, flip(root_hash))
    yield "trailing garbage", (leaf, index, size, proof + [b""], root_hash)
    yield "trailing root", (leaf, index, size, proof + [root_hash], root_hash)
    yield "trailing hash", (leaf, index, size, proof + [SOME_HASH], root_hash)
    yield "preceding garbage", (leaf, index, size, [b""] + proof, root_hash)
    yield "preceding root", (leaf, index, size, [root_hash] + proof, root_hash)
    for i in range(len(proof)):
        for bit in (0, 3, 7):
            tampered = list(proof)
            tampered[i] = flip(tampered[i], bit)
            yield f"proof[{i}] bit {bit} flipped", (leaf, index, size, tampered, root_hash)
        shortened = proof[:i] + proof[i + 1:]
        yield f"proof[{i}] removed", (leaf, index, size, shortened, root_hash)
    if proof:
        yield "truncated", (leaf, index, size, proof[:-1], root_hash)
    if len(proof) > 1:
        yield "inserted component", (leaf, index, size, [proof[0], SOME_HASH] + proof[1:], root_hash)
        yield "reversed", (leaf, index, size, proof[::-1], root_hash)


def consistency_probes(old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]):
    """Tampered variants of a valid consistency proof (0 < old < new), as
    transparency-dev/merkle's corruptConsistencyProof builds them. Sizes are probed
    separately (see check_wrong_sizes_consistency). Yields (description, args)."""
    yield "wrong old root", (old, new, SOME_HASH, new_root, proof)
    yield "wrong new root", (old, new, old_root, SOME_HASH, proof)
    yield "flipped old root", (old, new, flip(old_root), new_root, proof)
    yield "flipped new root", (old, new, old_root, flip(new_root), proof)
    yield "swapped roots", (old, new, new_root, old_root, proof)
    yield "empty proof", (old, new, old_root, new_root, [])
    yield "trailing garbage", (old, new, old_root, new_root, proof + [b""])
    yield "trailing old root", (old, new, old_root, new_root, proof + [old_root])
    yield "trailing new root", (old, new, old_root, new_root, proof + [new_root])
    yield "preceding garbage", (old, new, old_root, new_root, [b""] + proof)
    yield "preceding old root", (old, new, old_root, new_root, [old_root] + proof)
    yield "preceding new root", (old, new, old_root, new_root, [new_root] + proof)
    yield "preceding proof[0]", (old, new, old_root, new_root, [proof[0]] + proof)
    yield "truncated", (old, new, old_root, new_root, proof[:-1])
    for i in range(len(proof)):
        for bit in (0, 4, 7):
            tampered = list(proof)
            tampered[i] = flip(tampered[i], bit)
            yield f"proof[{i}] bit {bit} flipped", (old, new, old_root, new_root, tampered)
        yield f"proof[{i}] removed", (old, new, old_root, new_root, proof[:i] + proof[i + 1:])


def assert_all_rejected(verify, probes) -> None:
    for description, args in probes:
        with pytest.raises(ProofError):
            verify(*args)
            pytest.fail(f"accepted a tampered proof: {description}")


def check_wrong_sizes_inclusion(leaf: bytes, index: int, size: int, proof, root_hash) -> None:
    """Another size passes exactly when it gives the leaf the same path shape."""
    for other in {size - 1, size + 1, size * 2, size // 2, index, index + 1, size + 7, 0, -1}:
        if other == size:
            continue
        if 0 <= index < other and path_shape(index, other) == path_shape(index, size):
            verify_inclusion(leaf, index, other, proof, root_hash)
        else:
            with pytest.raises(ProofError):
                verify_inclusion(leaf, index, other, proof, root_hash)


def check_wrong_sizes_consistency(old: int, new: int, old_root, new_root, proof) -> None:
    """Other sizes pass exactly when they give the proof the same structure."""
    olds = {old - 1, old + 1, old ^ 2, old * 2, old // 2, 0, new, -1}
    news = {new - 1, new + 1, new * 2, new // 2, old, new + 5}
    for other_old, other_new in [(o, new) for o in olds] + [(old, n) for n in news]:
        if (other_old, other_new) == (old, new):
            continue
        if 0 < other_old < other_new and proof_shape(other_old, other_new) == proof_shape(old, new):
            verify_consistency(other_old, other_new, old_root, new_root, proof)
        else:
            with pytest.raises(ProofError):
                verify_consistency(other_old, other_new, old_root, new_root, proof)


# --- Published vectors -------------------------------------------------------------


def test_empty_tree():
    assert EMPTY_ROOT == ROOTS[0] == ref.MTH([])
    assert root(0, bounded({}, 0)) == EMPTY_ROOT
    assert mth([]) == EMPTY_ROOT
    assert Frontier().root() == EMPTY_ROOT
    assert Frontier().size == 0


def test_leaf_hashes_match_published_level_zero():
    assert [leaf_hash(data) for data in LEAF_INPUTS] == NODE_HASHES[0]


def test_node_hashes_match_published_levels():
    for level in range(1, len(NODE_HASHES)):
        below = NODE_HASHES[level - 1]
        assert [node_hash(below[2 * i], below[2 * i + 1]) for i in range(len(below) // 2)] \
            == NODE_HASHES[level]


@pytest.mark.parametrize("size", range(9))
def test_published_roots(size):
    hashes = NODE_HASHES[0][:size]
    assert ref.MTH(LEAF_INPUTS[:size]) == ROOTS[size]  # the oracle agrees with the vectors
    assert mth(hashes) == ROOTS[size]
    assert root(size, bounded(PUBLISHED_NODES, size)) == ROOTS[size]
    frontier = Frontier()
    for leaf in hashes:
        frontier.append(leaf)
    assert frontier.size == size
    assert frontier.root() == ROOTS[size]
    assert list(frontier.hashes) == [PUBLISHED_NODES[node] for node in COMPACT_TREES[size]]
    resumed = Frontier.resume(size, bounded(PUBLISHED_NODES, size))
    assert resumed.hashes == frontier.hashes and resumed.root() == ROOTS[size]


def test_frontier_completes_exactly_the_published_nodes():
    frontier = Frontier()
    completed = []
    for size, leaf in enumerate(NODE_HASHES[0], start=1):
        done = frontier.append(leaf)
        assert done[0] == (0, size - 1, leaf)
        completed.extend(done)
    assert sorted(completed) == sorted((level, index, value)
                                       for (level, index), value in PUBLISHED_NODES.items())


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION_VECTORS)
def test_published_inclusion_proofs(index, size, expected):
    expected = [h(x) for x in expected]
    assert ref.PATH(index, LEAF_INPUTS[:size]) == expected
    assert inclusion_proof(index, size, bounded(PUBLISHED_NODES, size)) == expected
    leaf = leaf_hash(LEAF_INPUTS[index])
    assert verify_inclusion(leaf, index, size, expected, ROOTS[size]) is None
    assert_all_rejected(verify_inclusion, inclusion_probes(index, size, expected, ROOTS[size], leaf))
    check_wrong_sizes_inclusion(leaf, index, size, expected, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY_VECTORS)
def test_published_consistency_proofs(old, new, expected):
    expected = [h(x) for x in expected]
    assert ref.PROOF(old, LEAF_INPUTS[:new]) == expected
    assert consistency_proof(old, new, bounded(PUBLISHED_NODES, new)) == expected
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], expected) is None
    if old < new:
        assert_all_rejected(verify_consistency,
                            consistency_probes(old, new, ROOTS[old], ROOTS[new], expected))
        check_wrong_sizes_consistency(old, new, ROOTS[old], ROOTS[new], expected)


def test_published_consistency_probes_all_fail():
    """transparency-dev/merkle's corruptConsistencyProof size probes (size1 - 1, size1 + 1,
    size1 ^ 2, size2 * 2, size2 / 2) are all rejected for its published vectors."""
    for old, new, expected in CONSISTENCY_VECTORS[1:]:
        proof = [h(x) for x in expected]
        for other_old, other_new in [(old - 1, new), (old + 1, new), (old ^ 2, new),
                                     (old, new * 2), (old, new // 2)]:
            with pytest.raises(ProofError):
                verify_consistency(other_old, other_new, ROOTS[old], ROOTS[new], proof)


def test_ct_log_inclusion_proof():
    leaf, index, size, proof, root_hash = CT_LOG_INCLUSION
    verify_inclusion(leaf, index, size, proof, root_hash)
    assert_all_rejected(verify_inclusion, inclusion_probes(index, size, proof, root_hash, leaf))
    check_wrong_sizes_inclusion(leaf, index, size, proof, root_hash)


def test_consistency_from_the_empty_tree_and_between_equal_sizes():
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    assert consistency_proof(0, 5, bounded(PUBLISHED_NODES, 5)) == []
    assert consistency_proof(5, 5, bounded(PUBLISHED_NODES, 5)) == []
    assert consistency_proof(0, 0, bounded(PUBLISHED_NODES, 0)) == []
    for args in [
        (0, 0, EMPTY_ROOT, ROOTS[1], []),          # roots differ
        (0, 0, ROOTS[1], ROOTS[1], []),            # not the empty tree's root
        (0, 5, ROOTS[1], ROOTS[5], []),            # not the empty tree's root
        (0, 5, EMPTY_ROOT, ROOTS[5], [EMPTY_ROOT]),  # a proof where none is due
        (5, 5, ROOTS[5], ROOTS[5], [EMPTY_ROOT]),
        (5, 5, ROOTS[5], ROOTS[4], []),
        (5, 4, ROOTS[5], ROOTS[4], []),            # time travel
        (-1, 4, EMPTY_ROOT, ROOTS[4], []),
        (4, -1, ROOTS[4], EMPTY_ROOT, []),
        (1, 2, ROOTS[1], ROOTS[2], []),            # empty proof for a real step
        (1, 2, ROOTS[1], b"", [NODE_HASHES[0][1]]),  # malformed root
        (1, 2, ROOTS[1], ROOTS[2], ["not bytes"]),  # malformed element
    ]:
        with pytest.raises(ProofError):
            verify_consistency(*args)


def test_inclusion_edge_cases():
    leaf = NODE_HASHES[0][0]
    verify_inclusion(leaf, 0, 1, [], leaf)  # a one-leaf tree's root is its leaf hash
    for args in [
        (leaf, 0, 0, [], EMPTY_ROOT),  # no leaf in the empty tree
        (leaf, 1, 1, [], leaf),
        (leaf, 2, 1, [], leaf),
        (leaf, -1, 1, [], leaf),
        (leaf, 0, -1, [], leaf),
        (leaf, 0, 1, [], SOME_HASH),
        (leaf, 0, 1, [], b""),
        (b"", 0, 1, [], leaf),
        (leaf, 0, 1, [leaf], leaf),
        (leaf, 0, 2, [None], ROOTS[2]),
    ]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)


def test_out_of_range_arguments_are_value_errors():
    store = bounded(PUBLISHED_NODES, 8)
    for call in [
        lambda: root(-1, store),
        lambda: inclusion_proof(0, 0, store),
        lambda: inclusion_proof(8, 8, store),
        lambda: inclusion_proof(-1, 8, store),
        lambda: inclusion_proof(0, -1, store),
        lambda: consistency_proof(5, 4, store),
        lambda: consistency_proof(-1, 4, store),
        lambda: consistency_proof(1, -1, store),
        lambda: Frontier.resume(-1, store),
    ]:
        with pytest.raises(ValueError) as caught:
            call()
        assert not isinstance(caught.value, ProofError)
        assert str(caught.value)
    assert issubclass(ProofError, ValueError)


# --- Round trips against the reference implementation, sizes 1..300 -----------------

MAX_SIZE = 300


class Built:
    """A 300-leaf ledger built with Frontier.append into a dict of completed subtrees."""

    def __init__(self, count: int) -> None:
        self.data = [b"ledger entry %d" % i + bytes(i % 7) for i in range(count)]
        self.leaves = [leaf_hash(d) for d in self.data]
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.completed: list[list[tuple[int, int, bytes]]] = []
        self.roots = [EMPTY_ROOT]
        self.frontiers = [()]
        frontier = Frontier()
        for leaf in self.leaves:
            done = frontier.append(leaf)
            for level, index, value in done:
                assert (level, index) not in self.nodes
                self.nodes[level, index] = value
            self.completed.append(done)
            self.roots.append(frontier.root())
            self.frontiers.append(frontier.hashes)

    def subtree(self, size: int):
        return bounded(self.nodes, size)


@functools.cache
def built(count: int = MAX_SIZE) -> Built:
    return Built(count)


@functools.cache
def reference_roots() -> list[bytes]:
    data = built().data
    return [ref.MTH(data[:size]) for size in range(MAX_SIZE + 1)]


def reference_sample(n: int, seed: int) -> list[int]:
    """Positions 0..n-1 to compare with the (slow) reference: all of them for small n,
    else the ends, the middle, both sides of the largest split and a few at random."""
    if n <= 64:
        return list(range(n))
    k = split(n)
    picks = {0, 1, k - 1, k, n // 2, n - 2, n - 1}
    picks.update(random.Random(seed).sample(range(n), 5))
    return sorted(picks)


def test_every_append_completes_the_right_nodes():
    tree = built()
    for size, done in enumerate(tree.completed, start=1):
        expected = []
        level = 0
        while size % (1 << level) == 0:
            index = (size >> level) - 1
            expected.append((level, index, ref.MTH(tree.data[index << level:size])))
            level += 1
        assert done == expected


@settings(max_examples=150, deadline=None)
@given(start=st.integers(0, 260), count=st.integers(0, 40), keep_from=st.integers(0, 5))
def test_aligned_subtrees_tile_the_leaves_with_the_published_hashes(start, count, keep_from):
    tree = built()
    subtrees, kept = aligned_subtrees(start, tree.leaves[start:start + count], keep_from)
    at = start
    for level, index, value in subtrees:
        assert index << level == at  # left to right, aligned, without gaps
        # the largest that fits: one level up would be misaligned or run past the end
        assert at % (2 << level) or at + (2 << level) > start + count
        assert value == ref.MTH(tree.data[at:at + (1 << level)])
        at += 1 << level
    assert at == start + count
    inside = {(level, index) for level, index in tree.nodes if level >= max(1, keep_from)
              and any(index << level >= first << top and (index + 1) << level
                      <= (first + 1) << top for top, first, _ in subtrees)}
    assert sorted((level, index) for level, index, _ in kept) == sorted(inside)
    for level, index, value in kept:
        assert value == ref.MTH(tree.data[index << level:(index + 1) << level])


@settings(max_examples=150, deadline=None)
@given(start=st.integers(0, 260), count=st.integers(0, 40))
def test_appending_aligned_subtrees_is_appending_their_leaves(start, count):
    tree = built()
    by_leaf, by_subtree = Frontier(), Frontier()
    for leaf in tree.leaves[:start]:
        by_leaf.append(leaf)
        by_subtree.append(leaf)
    completed = set()
    for leaf in tree.leaves[start:start + count]:
        completed.update(by_leaf.append(leaf))
    subtrees, kept = aligned_subtrees(start, tree.leaves[start:start + count])
    reported = set(kept)
    for level, index, value in subtrees:
        done = by_subtree.append_subtree(level, value)
        assert done[0] == (level, index, value)
        reported.update(done)
    assert (by_subtree.size, by_subtree.hashes) == (by_leaf.size, by_leaf.hashes)
    assert by_subtree.root() == tree.roots[start + count]
    # every node the leaves complete above the leaves themselves, each once
    assert {node for node in reported if node[0] > 0} == {
        node for node in completed if node[0] > 0}
    assert {node for node in reported if node[0] == 0} <= {
        node for node in completed if node[0] == 0}


def test_a_subtree_that_would_not_be_aligned_is_refused():
    frontier = Frontier()
    for leaf in built().leaves[:6]:
        frontier.append(leaf)
    with pytest.raises(ValueError, match="not be aligned"):
        frontier.append_subtree(2, built().leaves[0])
    assert frontier.size == 6
    assert frontier.append_subtree(1, node_hash(*built().leaves[6:8]))[-1] == (
        3, 0, built().nodes[3, 0])


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_round_trip(size):
    tree = built()
    subtree = tree.subtree(size)
    expected_root = reference_roots()[size]
    assert tree.roots[size] == expected_root  # Frontier.root after `size` appends
    assert root(size, subtree) == expected_root
    assert mth(tree.leaves[:size]) == expected_root

    # Every inclusion proof verifies; a sample equals the reference PATH.
    proofs = [inclusion_proof(index, size, subtree) for index in range(size)]
    for index, proof in enumerate(proofs):
        verify_inclusion(tree.leaves[index], index, size, proof, expected_root)
    for index in reference_sample(size, seed=size):
        assert proofs[index] == ref.PATH(index, tree.data[:size]), index

    # Every consistency proof into this size verifies; a sample equals the reference PROOF.
    roots = reference_roots()
    proofs = [consistency_proof(old, size, subtree) for old in range(size + 1)]
    for old, proof in enumerate(proofs):
        verify_consistency(old, size, roots[old], expected_root, proof)
    assert proofs[0] == [] and proofs[size] == []
    for old in reference_sample(size, seed=-size):
        if old:
            assert proofs[old] == ref.PROOF(old, tree.data[:size]), old

    # A frontier resumed from stored subtrees equals the live one and continues identically.
    resumed = Frontier.resume(size, subtree)
    assert resumed.size == size and resumed.hashes == tree.frontiers[size]
    assert resumed.root() == expected_root
    for next_size in range(size + 1, min(size + 70, MAX_SIZE) + 1):
        assert resumed.append(tree.leaves[next_size - 1]) == tree.completed[next_size - 1]
        assert resumed.size == next_size
        assert resumed.root() == roots[next_size]


NEGATIVE_SIZES = sorted({*range(1, 34), 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 299, 300})


@pytest.mark.parametrize("size", NEGATIVE_SIZES)
def test_tampered_proofs_are_rejected(size):
    tree = built()
    subtree = tree.subtree(size)
    roots = reference_roots()
    for index in sorted({0, size // 3, size // 2, size - 1}):
        proof = inclusion_proof(index, size, subtree)
        leaf = tree.leaves[index]
        assert_all_rejected(verify_inclusion,
                            inclusion_probes(index, size, proof, roots[size], leaf))
        check_wrong_sizes_inclusion(leaf, index, size, proof, roots[size])
        # Another leaf's proof does not prove this leaf.
        if size > 1:
            other = (index + 1) % size
            with pytest.raises(ProofError):
                verify_inclusion(leaf, index, size, inclusion_proof(other, size, subtree),
                                 roots[size])
    for old in sorted({1, size // 3, size // 2, size - 1} - {0, size}):
        proof = consistency_proof(old, size, subtree)
        assert_all_rejected(verify_consistency,
                            consistency_probes(old, size, roots[old], roots[size], proof))
        check_wrong_sizes_consistency(old, size, roots[old], roots[size], proof)


def test_subtree_lookups_are_logarithmic():
    calls = []

    def counting(level, index):
        calls.append((level, index))
        assert (index + 1) << level <= size
        return SOME_HASH

    for size in [1, 2, 3, 1000, 2**20 - 1, 2**20, 2**20 + 1, 987654321, 2**40 + 2**39 + 12345]:
        bits = size.bit_length()
        calls.clear()
        root(size, counting)
        assert len(calls) <= bits
        for index in {i for i in (0, 1, size // 2, size - 2, size - 1) if 0 <= i < size}:
            calls.clear()
            inclusion_proof(index, size, counting)
            assert len(calls) <= 2 * bits, (size, index, len(calls))
        for old in {m for m in (1, 2, size // 3, size - 1) if 0 < m < size}:
            calls.clear()
            consistency_proof(old, size, counting)
            assert len(calls) <= 2 * bits + 1, (size, old, len(calls))
        calls.clear()
        Frontier.resume(size, counting)
        assert len(calls) == size.bit_count()


# --- Properties (hypothesis) -----------------------------------------------------------

BIG = 1100


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_property_proofs_match_reference_and_tampering_fails(data):
    tree = built(BIG)
    size = data.draw(st.integers(1, BIG), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    subtree = tree.subtree(size)
    entries = tree.data[:size]
    new_root = ref.MTH(entries)
    old_root = ref.MTH(entries[:old])

    proof = inclusion_proof(index, size, subtree)
    assert proof == ref.PATH(index, entries)
    verify_inclusion(tree.leaves[index], index, size, proof, new_root)

    consistency = consistency_proof(old, size, subtree)
    assert consistency == ref.PROOF(old, entries)
    verify_consistency(old, size, old_root, new_root, consistency)

    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="element")
        bit = data.draw(st.integers(0, 255), label="bit")
        tampered = list(proof)
        tampered[position] = bytearray(tampered[position])
        tampered[position][bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ProofError):
            verify_inclusion(tree.leaves[index], index, size, tampered, new_root)
    if consistency:
        position = data.draw(st.integers(0, len(consistency) - 1), label="element")
        bit = data.draw(st.integers(0, 255), label="bit")
        tampered = list(consistency)
        tampered[position] = bytearray(tampered[position])
        tampered[position][bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ProofError):
            verify_consistency(old, size, old_root, new_root, tampered)
