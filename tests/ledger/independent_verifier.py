"""An independent check of the registry's proof documents, written from the specifications
alone (RFC 9162 s2.1.3.2 and s2.1.4.2, C2SP signed-note and tlog-checkpoint): it uses
hashlib, base64 and the cryptography package, and nothing from the ``ledger`` package.
"""

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def open_checkpoint(note: str, verifier_key: str) -> tuple[int, bytes]:
    """(tree size, root) of a signed note, after checking its Ed25519 signature."""
    name, key_id, encoded = verifier_key.split("+", 2)
    raw = base64.b64decode(encoded)
    assert raw[0] == 1 and len(raw) == 33
    public = raw[1:]
    assert hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4].hex() == key_id
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    for line in signatures.strip("\n").split("\n"):
        dash, signer, stamp = line.split(" ")
        blob = base64.b64decode(stamp)
        if dash == "\u2014" and signer == name and blob[:4].hex() == key_id:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], body.encode())
            origin, size, root = body.split("\n")[:3]
            assert origin == name
            return int(size), base64.b64decode(root)
    raise AssertionError("no signature by the verifier key")


def inclusion_root(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 s2.1.3.2: the root an inclusion path leads to (raises if it cannot)."""
    assert index < size
    fn, sn, r = index, size - 1, leaf
    for p in path:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    assert sn == 0
    return r


def consistent(size1: int, size2: int, root1: bytes, root2: bytes, path: list[bytes]) -> bool:
    """RFC 9162 s2.1.4.2."""
    if size1 == size2:
        return root1 == root2 and not path
    if size1 & (size1 - 1) == 0:  # a power of two: the old root starts the path
        path = [root1, *path]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def check_inclusion_document(document: dict, verifier_key: str) -> None:
    size, root = open_checkpoint(document["checkpoint"]["note"], verifier_key)
    assert size == document["tree_size"]
    data = base64.b64decode(document["leaf"]["leaf_data"])
    assert int.from_bytes(data[:8], "big") == document["leaf"]["position"]
    leaf = hashlib.sha256(b"\x00" + data).digest()
    path = [bytes.fromhex(h) for h in document["proof"]]
    assert inclusion_root(leaf, document["leaf"]["leaf_index"], size, path) == root


def check_consistency_document(document: dict, verifier_key: str) -> None:
    size1, root1 = open_checkpoint(document["old"]["note"], verifier_key)
    size2, root2 = open_checkpoint(document["new"]["note"], verifier_key)
    assert consistent(size1, size2, root1, root2, [bytes.fromhex(h) for h in document["proof"]])
