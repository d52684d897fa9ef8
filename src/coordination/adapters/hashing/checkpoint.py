"""Signed heads of the store chain that an auditor keeps outside the service.

A checkpoint fixes the whole history up to its position: changing, deleting or
reordering anything at or below it changes the chain hash there, and a store
that lost its tail no longer has that position at all. The signature shows the
service issued it; the auditor's own copy is what makes it trustworthy.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from coordination.adapters.hashing.signing import (
    BadKey,
    key_id,
    parse_public_key,
    public_key_text,
    sign,
    signature_holds,
)
from coordination.adapters.timestamps import stamp

FORMAT = "coordination-checkpoint/1"


class CheckpointInvalid(ValueError):
    """Not a checkpoint: a member is missing or of the wrong type."""


@dataclass(frozen=True)
class Checkpoint:
    format: str
    position: int
    chain_hash: str
    events: int
    at: str
    key_id: str
    public_key: str
    signature: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: Any) -> "Checkpoint":
        types = {"format": str, "position": int, "chain_hash": str, "events": int, "at": str,
                 "key_id": str, "public_key": str, "signature": str}  # fmt: skip
        if not isinstance(doc, dict) or doc.keys() != types.keys():
            raise CheckpointInvalid("a checkpoint has exactly the members " + ", ".join(types))
        for name, kind in types.items():
            if not isinstance(doc[name], kind) or isinstance(doc[name], bool):
                raise CheckpointInvalid(f"'{name}' must be {kind.__name__}")
        if doc["format"] != FORMAT:
            raise CheckpointInvalid(f"unknown format '{doc['format']}'")
        return cls(**doc)


def make_checkpoint(
    key: Ed25519PrivateKey, position: int, chain_hash: str, events: int, at: datetime
) -> Checkpoint:
    public = key.public_key()
    doc: dict[str, Any] = {
        "format": FORMAT, "position": position, "chain_hash": chain_hash, "events": events,
        "at": stamp(at), "key_id": key_id(public), "public_key": public_key_text(public),
    }  # fmt: skip
    return Checkpoint(**doc, signature=sign(key, doc))


def checkpoint_signed(cp: Checkpoint, trusted: Mapping[str, Ed25519PublicKey] | None) -> bool:
    """The signature holds under the checkpoint's own key, and that key is trusted
    (one of `trusted`, by key id) when a trust list is given."""
    try:
        own = parse_public_key(cp.public_key)
    except BadKey:
        return False
    if key_id(own) != cp.key_id:
        return False
    if trusted is not None:
        # Compare whole keys: a key id is short, a forger could aim for a match.
        known = trusted.get(cp.key_id)
        if known is None or public_key_text(known) != cp.public_key:
            return False
    return signature_holds(own, cp.to_json())
