"""The offline audit bundle: one case's events with the proof that ties them to a
signed checkpoint, checked without any database.

What proves what:
- each event's hash is recomputed from its stored bytes (base64 `state`), and the
  case's hashes chain from version 1;
- the `clear` metadata must equal the clear part of those bytes;
- `proof` recomputes the store chain from the case's first event to the
  checkpoint's head, passing through every event of the case;
- the checkpoint's signature, and the bundle's own signature over everything
  else, including the decrypted `data`, which no hash covers (it is not stored:
  only its ciphertext is);
- the file must be byte for byte as exported, so not even whitespace can change.
"""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coordination.adapters.hashing.chain import ZERO, chain_hash, event_hash
from coordination.adapters.hashing.checkpoint import (
    Checkpoint,
    CheckpointInvalid,
    checkpoint_signed,
)
from coordination.adapters.hashing.signing import (
    BadKey,
    key_id,
    parse_public_key,
    public_key_text,
    sign,
    signature_holds,
)
from coordination.adapters.hashing.verify import (
    BROKEN,
    CHANGED,
    MISSING,
    NOT_IN_CHAIN,
    OUT_OF_ORDER,
    CaseRow,
    Failure,
)
from coordination.adapters.timestamps import stamp

FORMAT = "coordination-audit-bundle/1"


@dataclass(frozen=True)
class Readable:
    """What the service can still read of an event: its data, or that it was erased."""

    erased: bool
    data: dict[str, Any] | None


def render(doc: Any) -> bytes:
    """The one byte form of a bundle: sorted keys, one-space indent, ASCII only."""
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=True).encode() + b"\n"


def clear_part(state: bytes) -> Any:
    """The clear member of a stored state `{"c": …, "s": …}`, as plain JSON."""
    try:
        envelope = json.loads(state)
    except ValueError:
        return None
    return envelope.get("c") if isinstance(envelope, dict) else None


def event_type(topic: str) -> str:
    return topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def build_bundle(
    case_id: UUID, rows: Sequence[CaseRow], readable: Sequence[Readable],
    chain_before: str | None, links: Sequence[tuple[int, str]],
    checkpoint: Checkpoint, key: Ed25519PrivateKey, exported_at: datetime,
) -> bytes:  # fmt: skip
    events = []
    for row, seen in zip(rows, readable, strict=True):
        e, h = row.event, row.hashes
        assert e is not None
        assert h is not None
        events.append({
            "case_id": str(case_id), "version": e.version, "position": e.position,
            "topic": e.topic, "type": event_type(e.topic),
            "state": base64.b64encode(e.state).decode(), "clear": clear_part(e.state),
            "erased": seen.erased, "data": seen.data,
            "event_hash": h.event_hash, "chain_hash": h.chain_hash,
        })  # fmt: skip
    doc: dict[str, Any] = {
        "format": FORMAT, "case_id": str(case_id), "exported_at": stamp(exported_at),
        "events": events,
        "proof": {"chain_before": chain_before or ZERO.hex(), "links": [list(k) for k in links]},
        "checkpoint": checkpoint.to_json(), "public_key": public_key_text(key.public_key()),
    }  # fmt: skip
    doc["signature"] = sign(key, doc)
    return render(doc)


@dataclass(frozen=True)
class BundleReport:
    case_id: str | None
    events: int
    checkpoint_position: int | None
    key_id: str | None
    first_failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.first_failure is None


def _bad(reason: str, case_id: str | None = None) -> BundleReport:
    return BundleReport(case_id, 0, None, None, Failure(None, None, reason))


def verify_bundle(raw: bytes, pinned_key: str | None = None) -> BundleReport:
    """Check a bundle file's bytes; `pinned_key` is the public key the auditor trusts."""
    try:
        doc = json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        return _bad("not a bundle: unreadable JSON")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return _bad("not a bundle: unknown format")
    if render(doc) != raw:
        return _bad("bundle altered: not byte for byte as exported")
    try:
        return _check(doc, pinned_key)
    except (KeyError, TypeError, ValueError, AttributeError, CheckpointInvalid):
        return _bad("bundle malformed")


def _check(doc: dict[str, Any], pinned_key: str | None) -> BundleReport:
    try:
        public = parse_public_key(doc["public_key"])
        pinned = parse_public_key(pinned_key) if pinned_key else None
    except BadKey:
        return _bad("public key malformed")
    if pinned is not None and public_key_text(pinned) != doc["public_key"]:
        return _bad("signed with another key than the trusted one")
    if not signature_holds(public, doc):
        return _bad("bundle signature invalid")
    cp = Checkpoint.from_json(doc["checkpoint"])
    if not checkpoint_signed(cp, {key_id(public): public}):
        return _bad("checkpoint signature invalid")
    case = UUID(doc["case_id"])
    failure = _check_events(case, doc["events"], doc["proof"], cp)
    return BundleReport(str(case), len(doc["events"]), cp.position, cp.key_id, failure)


def _check_events(
    case: UUID, events: list[dict[str, Any]], proof: dict[str, Any], cp: Checkpoint
) -> Failure | None:
    if not events:
        return Failure(str(case), None, MISSING)
    mine: dict[int, tuple[dict[str, Any], bytes]] = {}
    tip, last_position = ZERO, 0
    for version, ev in enumerate(events, start=1):
        if UUID(ev["case_id"]) != case:
            return Failure(str(case), version, "event of another case", ev["position"])
        if ev["version"] > version:
            return Failure(str(case), version, MISSING)
        where = Failure(str(case), ev["version"], "", ev["position"])
        if ev["version"] < version or ev["position"] <= last_position:
            return _because(where, OUT_OF_ORDER)
        state = base64.b64decode(ev["state"], validate=True)
        if ev["clear"] != clear_part(state):
            return _because(where, "clear metadata does not match the state")
        tip = event_hash(tip, case.hex, version, ev["topic"], state)
        if tip.hex() != ev["event_hash"]:
            return _because(where, CHANGED)
        mine[ev["position"]] = (ev, tip)
        last_position = ev["position"]
    return _check_proof(case, mine, proof, cp)


def _check_proof(
    case: UUID, mine: dict[int, tuple[dict[str, Any], bytes]], proof: dict[str, Any],
    cp: Checkpoint,
) -> Failure | None:  # fmt: skip
    link = bytes.fromhex(proof["chain_before"])
    previous = 0
    for position, digest in proof["links"]:
        if not isinstance(position, int) or position <= previous:
            return Failure(None, None, OUT_OF_ORDER, position)
        ours = mine.pop(position, None)
        if ours is not None and digest != ours[1].hex():
            return Failure(str(case), ours[0]["version"], NOT_IN_CHAIN, position)
        link = chain_hash(link, position, bytes.fromhex(digest))
        if ours is not None and link.hex() != ours[0]["chain_hash"]:
            return Failure(str(case), ours[0]["version"], BROKEN, position)
        previous = position
    if mine:
        ev, _ = mine[min(mine)]
        return Failure(str(case), ev["version"], NOT_IN_CHAIN, ev["position"])
    if previous != cp.position or link.hex() != cp.chain_hash:
        return Failure(None, None, "proof does not reach the checkpoint", cp.position)
    return None


def _because(where: Failure, reason: str) -> Failure:
    return Failure(where.case_id, where.version, reason, where.position)
