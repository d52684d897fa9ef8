"""The service's Ed25519 signing key, and canonical JSON for what it signs.

The key signs checkpoints and audit bundles, nothing else. It lives outside the
database (configuration, or a key file created owner-only, like the master key),
so whoever can rewrite the database still cannot sign a head of their own.
"""

import base64
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class BadKey(ValueError):
    """A configured or supplied key is not base64 of 32 bytes."""


def load_signing_key(configured: str | None, key_file: Path) -> Ed25519PrivateKey:
    """From configuration (base64 of the raw 32-byte private key), else a key file
    created owner-only on first use."""
    if configured:
        return Ed25519PrivateKey.from_private_bytes(_raw(configured))
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return Ed25519PrivateKey.from_private_bytes(_raw(key_file.read_text().strip()))


class SigningKeys:
    """The key this service signs with, loaded (or its file created) on first use, and
    the public keys it trusts: its own and those of retired keys."""

    def __init__(
        self, configured: str | None, key_file: Path, retired_public_keys: Sequence[str] = ()
    ) -> None:
        self.configured, self.key_file = configured, key_file
        self.retired = list(retired_public_keys)
        self._key: Ed25519PrivateKey | None = None

    def signing_key(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = load_signing_key(self.configured, self.key_file)
        return self._key

    def trusted(self) -> dict[str, Ed25519PublicKey]:
        """Public keys by key id. Checking never creates a key file: where no key was
        ever made, none is current."""
        keys = [parse_public_key(text) for text in self.retired]
        if self.configured or self.key_file.exists():
            keys.append(self.signing_key().public_key())
        return {key_id(k): k for k in keys}


def _raw(text: str) -> bytes:
    # Standard and URL-safe alphabets alike, padding optional.
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise BadKey("a key must be base64") from None
    if len(raw) != 32:
        msg = "a key must be 32 bytes, base64-encoded"
        raise BadKey(msg)
    return raw


def public_key_text(key: Ed25519PublicKey) -> str:
    """Standard base64 of the raw 32-byte public key."""
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def parse_public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw(text))


def key_id(key: Ed25519PublicKey) -> str:
    """The first 16 hex characters of SHA-256 over the raw public key."""
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def canonical(doc: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: for the integers, strings, booleans, nulls,
    lists and objects signed here this is the JSON Canonicalization Scheme (RFC 8785)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def unsigned(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "signature"}


def sign(key: Ed25519PrivateKey, doc: dict[str, Any]) -> str:
    """Base64 of the Ed25519 signature over the canonical JSON of every other member."""
    return base64.b64encode(key.sign(canonical(unsigned(doc)))).decode()


def signature_holds(key: Ed25519PublicKey, doc: dict[str, Any]) -> bool:
    try:
        signature = base64.b64decode(str(doc.get("signature", "")), validate=True)
        key.verify(signature, canonical(unsigned(doc)))
    except (InvalidSignature, ValueError):
        return False
    return True
