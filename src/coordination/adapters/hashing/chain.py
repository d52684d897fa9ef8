"""The two hash chains over the event store. Pure: the recorders, `verify` and the
offline bundle checker all hash through these functions, so they cannot drift.

- Per case: each event's hash covers the previous event hash of its case and the
  event exactly as stored (case id, version, topic, state bytes). The state holds
  the clear metadata and the ciphertext, so erasure (destroying the case key)
  changes nothing that is hashed.
- Store-wide: each chain hash covers the previous chain hash (in notification
  order), the event's position and its event hash, so deleting, inserting or
  reordering events of any case breaks the chain from that point on.

Every variable-length field is length-prefixed and each hash starts with its own
tag, so no two different inputs encode to the same bytes and an event hash can
never be passed off as a chain hash. docs/integrity.md specifies the bytes.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

ZERO = bytes(32)
EVENT_TAG = b"coordination-event-v1"
CHAIN_TAG = b"coordination-chain-v1"


def _u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def _field(data: bytes) -> bytes:
    return _u64(len(data)) + data


def case_key(originator_id: UUID | str) -> str:
    """A case id as hashed and as kept in event_hashes: 32 lower-case hex characters.

    Ids that are not UUIDs (never written by the service, but accepted by the
    library's recorders) are kept as they are."""
    if isinstance(originator_id, UUID):
        return originator_id.hex
    try:
        return UUID(originator_id).hex
    except ValueError:
        return originator_id


def event_hash(previous: bytes, case_id: str, version: int, topic: str, state: bytes) -> bytes:
    """SHA-256 of the tag, the case's previous event hash and the stored event."""
    return hashlib.sha256(
        EVENT_TAG
        + previous
        + _field(case_id.encode())
        + _u64(version)
        + _field(topic.encode())
        + _field(state)
    ).digest()


def chain_hash(previous: bytes, position: int, event_digest: bytes) -> bytes:
    """SHA-256 of the tag, the previous chain hash, the position and the event hash."""
    return hashlib.sha256(CHAIN_TAG + previous + _u64(position) + event_digest).digest()


@dataclass(frozen=True)
class EventRow:
    """An event as the events table holds it, with its position; case_id as 32 hex
    characters. The recorders hash new ones; verify and bundles re-hash stored ones."""

    position: int
    case_id: str
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class NewEvent:
    """An event about to be inserted, its position not yet known."""

    case_id: str
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Link:
    """One row of event_hashes."""

    case_id: str
    version: int
    position: int
    event_hash: bytes
    chain_hash: bytes


CaseHead = Callable[[str, int], bytes]  # (case, version) -> hash of the highest version below
ChainHead = Callable[[int], bytes]  # position -> chain hash of the highest position below
Digests = dict[tuple[str, int], bytes]  # (case, version) -> event hash


class CaseEvent(Protocol):
    """What an event hash covers: an EventRow, or an event not yet given its position."""

    @property
    def case_id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


def case_digests(events: Sequence[CaseEvent], case_head: CaseHead) -> Digests:
    """Each event's hash, each case's events chained in version order from the head of
    what is stored below them (looked up once per case). No position is needed: the
    hashes of a case no event of which is stored yet can be made before the writer lock
    is taken, from ZERO."""
    hashes: Digests = {}
    previous: dict[str, bytes] = {}
    for e in sorted(events, key=lambda e: (e.case_id, e.version)):
        before = previous[e.case_id] if e.case_id in previous else case_head(e.case_id, e.version)
        previous[e.case_id] = hashes[e.case_id, e.version] = event_hash(
            before, e.case_id, e.version, e.topic, e.state
        )
    return hashes


def link_batch(
    events: Sequence[EventRow], case_head: CaseHead, chain_head: ChainHead,
    known: Digests | None = None,
) -> list[Link]:  # fmt: skip
    """The hash rows for events inserted in one transaction.

    A batch may hold several events of one case and several cases; `known` holds event
    hashes made beforehand (`case_digests`) and the rest are made here. The store chain
    runs in position order. The lookups read the store inside the inserting
    transaction, which holds the writer lock, so no other writer can slip a row in
    between."""
    if not events:
        return []
    hashes = dict(known or {})
    hashes |= case_digests([e for e in events if (e.case_id, e.version) not in hashes], case_head)
    ordered = sorted(events, key=lambda e: e.position)
    link = chain_head(ordered[0].position)
    links = []
    for e in ordered:
        digest = hashes[e.case_id, e.version]
        link = chain_hash(link, e.position, digest)
        links.append(Link(e.case_id, e.version, e.position, digest, link))
    return links
