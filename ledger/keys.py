"""The ledger's Ed25519 key, kept in a file outside the database.

The key is created on first initialisation (``load_or_create``) and written with
owner-only permissions. Its public half is published as a C2SP signed-note
verifier key (``<name>+<key id hex>+<base64(0x01 || public key)>``), the format
transparency logs use, so anyone can check checkpoints and proofs with it alone.
The same secret also keys the HMAC that seals each journal entry (``mac_key``).
"""

import base64
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DEFAULT_NAME = "nhs-community-registry"
DEFAULT_KEY_FILE = Path("var") / "ledger" / "signing-key.json"  # under REGISTRY_HOME
ALGORITHM_ED25519 = 0x01  # the signed-note signature type byte for Ed25519
_NAME = re.compile(r"^[\x21-\x7e]+$")


class LedgerKeyError(ValueError):
    """The key file or a verifier key cannot be used; the message says why."""


def key_id(name: str, public: bytes) -> bytes:
    """The 4-byte signed-note key id: SHA-256(name || "\\n" || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALGORITHM_ED25519]) + public).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public)

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([ALGORITHM_ED25519]) + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    @classmethod
    def parse(cls, text: str) -> "VerifierKey":
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise LedgerKeyError("a verifier key reads <name>+<key id>+<base64 key>")
        name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise LedgerKeyError("the verifier key's last part is not base64") from error
        if len(raw) != 33 or raw[0] != ALGORITHM_ED25519:
            raise LedgerKeyError("the verifier key is not an Ed25519 key")
        key = cls(name, raw[1:])
        if key.key_id.hex() != hex_id.lower():
            raise LedgerKeyError("the verifier key's id does not match its name and key")
        return key


@dataclass(frozen=True)
class SigningKey:
    name: str
    seed: bytes  # the 32-byte Ed25519 private key

    @property
    def verifier(self) -> VerifierKey:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes(
            Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, public)

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    @property
    def mac_key(self) -> bytes:
        return hmac.new(self.seed, b"registry ledger journal seal", hashlib.sha256).digest()


def load_or_create(path: Path, name: str) -> tuple[SigningKey, bool]:
    """The key in ``path``; a new one (named ``name``) if the file does not exist yet.

    Returns the key and whether it was created now.
    """
    path = Path(path)
    if path.exists():
        return load(path), False
    if not _NAME.match(name) or "+" in name:
        raise LedgerKeyError(f"ledger name '{name}' must be printable ASCII without spaces or '+'")
    key = SigningKey(name, Ed25519PrivateKey.generate().private_bytes_raw())
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"name": name, "algorithm": "Ed25519",
                "private_key": base64.b64encode(key.seed).decode(),
                "verifier_key": str(key.verifier),
                "created_at": datetime.now(timezone.utc).isoformat()}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    return key, True


def load(path: Path) -> SigningKey:
    try:
        document = json.loads(Path(path).read_text())
        seed = base64.b64decode(document["private_key"], validate=True)
        name = document["name"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LedgerKeyError(f"the ledger key file {path} cannot be read ({error}); restore it "
                        "from your backup: without it checkpoints cannot be signed") from error
    if len(seed) != 32:
        raise LedgerKeyError(f"the ledger key file {path} does not hold an Ed25519 key")
    return SigningKey(name, seed)
