"""A mapper that seals each event's personal fields with its case's key.

Stored state is `{"c": clear fields, "s": sealed personal fields or null, "k": part}`.
The sealed part is AES-GCM under the key of the case's part that its recording
agency's controller holds ("k"; absent: the case's first key), bound to the case,
version and event type (associated data), so it cannot be moved to another event.
Once the key is destroyed the event still decodes: its personal fields read as None
and it is marked erased, so histories, projections and replays keep working. A
snapshot's whole state is sealed under the snapshots' part; once that is erased or
renewed it decodes to `ErasedSnapshot`.
"""

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from coordination.adapters.store import topics  # noqa: F401 (registers the moved topics)
from coordination.adapters.store.keys import (
    SNAPSHOT_PART,
    CaseKeys,
    KeyDestroyed,
    seal,
    unseal,
)
from coordination.domain.catalogue import CATALOGUE

ERASED = "_erased"


class SealingMapper(Mapper[UUID]):
    def __init__(
        self, transcoder: Transcoder, keys: CaseKeys,
        part_of: Callable[[str], str | None] = lambda agency_id: None,
    ) -> None:  # fmt: skip
        super().__init__(transcoder)
        # The part an agency's records belong to: its controller (ADR 0042).
        self.keys, self.part_of = keys, part_of

    def prefetch_keys(self, stored_events: Sequence[StoredEvent]) -> None:
        """Read the keys of a batch's cases in one go, before decoding it."""
        self.keys.prefetch([_uuid(e.originator_id) for e in stored_events])

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return self._stored(domain_event, None)

    def seal_with_key(self, domain_event: DomainEventProtocol[UUID], key: bytes) -> StoredEvent:
        """As `to_stored_event`, but sealed under `key`, which neither the store nor the
        key cache has yet: a bulk import's fresh key, stored with the events (ADR 0022)."""
        return self._stored(domain_event, key)

    def _stored(self, domain_event: DomainEventProtocol[UUID], key: bytes | None) -> StoredEvent:
        topic = get_topic(domain_event.__class__)
        state = dict(vars(domain_event))
        case_id, version = state.pop("originator_id"), state.pop("originator_version")
        clear, personal = split(type(domain_event).__name__, state)
        if (class_version := getattr(type(domain_event), "class_version", 1)) > 1:
            clear["class_version"] = class_version
        envelope: dict[str, Any] = {"c": clear, "s": None}
        if personal:
            if key is None:  # the key of the recorder's part, made first for a new part
                key, part = self._key(case_id, domain_event, clear, version)
                if part is not None:
                    envelope["k"] = part
            plain = self.transcoder.encode(personal)
            envelope["s"] = base64.b64encode(
                seal(key, plain, _aad(case_id, version, topic))
            ).decode()
        return StoredEvent(case_id, version, topic, self.transcoder.encode(envelope))

    def _key(
        self, case_id: UUID, domain_event: DomainEventProtocol[UUID], clear: dict[str, Any],
        version: int,
    ) -> tuple[bytes, str | None]:  # fmt: skip
        """The key to seal under, and its part (None: the case's first key). The first key
        seals the opening and belongs to the part of the agency that opened the case
        (ADR 0042); a later event goes to its recorder's part, which is the first key
        again when that is the opener's. A snapshot goes to the snapshots' part."""
        if isinstance(domain_event, Snapshot):
            return self.keys.key_for(case_id, part=SNAPSHOT_PART, create=True), SNAPSHOT_PART
        recorder = clear.get("recorded_by")
        part = self.part_of(recorder) if isinstance(recorder, str) else None
        if version == 1:
            return self.keys.key_for(case_id, create=True, owner=part), None
        return self.keys.sealing_key(case_id, part)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        envelope = self.transcoder.decode(stored_event.state)
        state: dict[str, Any] = dict(envelope["c"])
        case_id = _uuid(stored_event.originator_id)
        if envelope["s"] is not None:
            aad = _aad(case_id, stored_event.originator_version, stored_event.topic)
            personal = self._open(case_id, envelope["s"], aad, envelope.get("k"))
            if personal is None and issubclass(cls, Snapshot):
                return ErasedSnapshot(case_id)
            join(cls.__name__, state, personal)
        upcast(cls, state)
        state["originator_id"] = case_id
        state["originator_version"] = stored_event.originator_version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event  # type: ignore[no-any-return]

    def _open(
        self, case_id: UUID, sealed: str, aad: bytes, part: str | None
    ) -> dict[str, Any] | None:
        try:
            key = self.keys.key_for(case_id, part=part)
            plain = unseal(key, base64.b64decode(sealed), aad)
        except KeyDestroyed:
            return None
        except InvalidTag:
            if part != SNAPSHOT_PART:
                raise
            # A snapshot sealed, in another process, under a key renewed since: its state
            # may hold a part erased meanwhile, so it counts as gone (the case replays).
            return None
        opened: dict[str, Any] = self.transcoder.decode(plain)
        return opened


def upcast(cls: type, state: dict[str, Any]) -> None:
    """Brings the state of an event stored by an older version of its class up to the
    class's `class_version`, as the library's own mapper does."""
    version = state.pop("class_version", 1)
    while version < getattr(cls, "class_version", 1):
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1


@dataclass(frozen=True)
class ErasedSnapshot:
    """A snapshot of an erased case: its state went with the key. It stands at version 0
    and rebuilds nothing, so the repository replays every event from the first, and the
    case reads exactly as it would without snapshots (ADR 0020)."""

    originator_id: UUID
    originator_version: int = 0

    def mutate(self, aggregate: None) -> None:
        return aggregate


@dataclass(frozen=True)
class Sealed:
    """Which fields of one event type are sealed: whole fields, and keys of the items of
    list fields ("milestones.title") or of dict fields ("legal_representative.name")."""

    fields: tuple[str, ...]
    in_items: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, paths: tuple[str, ...]) -> "Sealed":
        in_items: dict[str, list[str]] = {}
        for path in paths:
            if "." in path:
                field, key = path.split(".", 1)
                in_items.setdefault(field, []).append(key)
        fields = tuple(p for p in paths if "." not in p)
        return cls(fields, tuple((f, tuple(keys)) for f, keys in in_items.items()))


# What the declarations seal (domain/declaration.py); a snapshot's whole state is sealed
# (ADR 0020).
SEALED: dict[str, Sealed] = {name: Sealed.of(t.declared.sealed) for name, t in CATALOGUE.items()}
SEALED[Snapshot.__name__] = Sealed(("state",), ())
NOTHING = Sealed((), ())


def split(event_type: str, state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(clear, personal) parts of an event's state."""
    sealed = SEALED.get(event_type, NOTHING)
    clear = {k: v for k, v in state.items() if k not in sealed.fields}
    personal = {k: state[k] for k in sealed.fields if k in state}
    for field, keys in sealed.in_items:
        value = state.get(field)
        if isinstance(value, dict):  # "legal_representative.name": a key of a dict field
            personal[field] = {k: value.get(k) for k in keys}
            clear[field] = {k: v for k, v in value.items() if k not in keys}
        elif isinstance(value, list):  # "milestones.title": a key of each item of a list
            personal[field] = [{k: item.get(k) for k in keys} for item in value]
            clear[field] = [{k: v for k, v in item.items() if k not in keys} for item in value]
    return clear, personal


def join(event_type: str, clear: dict[str, Any], personal: dict[str, Any] | None) -> None:
    """Merge the opened personal part back; None (erased) leaves every such field None."""
    sealed = SEALED.get(event_type, NOTHING)
    if personal is None:
        clear[ERASED] = True
        personal = dict.fromkeys(sealed.fields)
        for field, keys in sealed.in_items:
            personal[field] = _erased_part(clear.get(field), keys)
    items = {field: personal.pop(field) for field, _ in sealed.in_items if field in personal}
    clear.update(personal)
    for field, opened in items.items():
        kept = clear.get(field)
        if isinstance(kept, list):
            clear[field] = [{**c, **p} for c, p in zip(kept, opened, strict=True)]
        elif isinstance(kept, dict):
            clear[field] = {**kept, **opened}
        elif kept is None:  # sealed whole when it was stored, or absent
            clear[field] = opened


def _erased_part(kept: Any, keys: tuple[str, ...]) -> Any:
    """The sealed keys of a list's items or of a dict, once the key is gone: None each."""
    if isinstance(kept, list):
        return [dict.fromkeys(keys) for _ in kept]
    return dict.fromkeys(keys) if isinstance(kept, dict) else None


def _aad(case_id: UUID, version: int, topic: str) -> bytes:
    return f"{case_id}:{version}:{topic}".encode()


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
