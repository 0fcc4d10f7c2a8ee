"""Checkpoints as C2SP signed notes (the format Go's sumdb and transparency logs use).

A checkpoint body is (C2SP tlog-checkpoint)::

    <origin>\\n
    <tree size, decimal>\\n
    <root hash, base64>\\n
    time <UTC ISO 8601>\\n

and the signed note appends a blank line and one signature line::

    \\u2014 <key name> <base64(4-byte key id || Ed25519 signature over the body)>\\n

so a checkpoint can be checked with nothing but the verifier key.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from ledger.keys import SigningKey, VerifierKey

DASH = "\u2014"


class NoteError(ValueError):
    """A signed checkpoint that is malformed or does not verify; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes
    signed_at: str

    @property
    def body(self) -> str:
        root = base64.b64encode(self.root_hash).decode()
        return f"{self.origin}\n{self.tree_size}\n{root}\ntime {self.signed_at}\n"

    def sign(self, key: SigningKey) -> str:
        """The signed note text for this checkpoint."""
        if key.name != self.origin:
            raise NoteError(f"key '{key.name}' cannot sign for origin '{self.origin}'")
        signature = key.sign(self.body.encode())
        stamp = base64.b64encode(key.verifier.key_id + signature).decode()
        return f"{self.body}\n{DASH} {key.name} {stamp}\n"


def open_note(text: str, verifier: VerifierKey) -> Checkpoint:
    """The checkpoint in a signed note, after checking its signature with ``verifier``."""
    if not isinstance(text, str):
        raise NoteError("a signed checkpoint is text")
    body, separator, signatures = text.partition("\n\n")
    if not separator or not body:
        raise NoteError("a signed checkpoint has a body, a blank line and signature lines")
    body += "\n"
    checkpoint = parse_body(body)
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line: {line!r}")
        _, name, stamp = parts
        try:
            raw = base64.b64decode(stamp, validate=True)
        except binascii.Error as error:
            raise NoteError("a signature is not base64") from error
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue
        if verifier.verify(body.encode(), raw[4:]):
            if checkpoint.origin != verifier.name:
                raise NoteError(f"checkpoint origin '{checkpoint.origin}' is not the key's "
                                f"name '{verifier.name}'")
            return checkpoint
        raise NoteError("the checkpoint's signature does not verify with the ledger key: "
                        "it was altered or signed by another key")
    raise NoteError(f"the checkpoint carries no signature by key '{verifier.name}'")


def parse_body(body: str) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 5 or lines[-1] != "":
        raise NoteError("a checkpoint body has origin, size, root hash and time lines")
    origin, size, root, time_line = lines[0], lines[1], lines[2], lines[3]
    if not size.isdigit() or (size.startswith("0") and size != "0"):
        raise NoteError("the checkpoint's tree size is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except binascii.Error as error:
        raise NoteError("the checkpoint's root hash is not base64") from error
    if len(root_hash) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    if not time_line.startswith("time "):
        raise NoteError("the checkpoint has no time line")
    signed_at = time_line[5:]
    try:
        datetime.fromisoformat(signed_at.replace("Z", "+00:00"))
    except ValueError as error:
        raise NoteError("the checkpoint's time is not ISO 8601") from error
    return Checkpoint(origin, int(size), root_hash, signed_at)
