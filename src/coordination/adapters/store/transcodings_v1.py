"""The first shapes of a snapshot's state (ADR 0020), still read.

Each part, the ledger and each consent was written as a JSON object of its fields and
read back as the same type; the JSON encoder turns str enums into plain strings on its
own, so the enums are restored here by field. Parts and consents are now written as
rows (`transcodings.py`, ADR 0029); snapshots stored before that keep this shape until
they are replaced, so these stay registered for reading. The ledger and a set are still
written this way.
"""

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.persistence import JSONTranscoder, Transcoding

from consent import Category, Consent, ConsentLedger, Purpose
from coordination.domain.parts import (
    Agreement,
    Course,
    Milestone,
    Qualification,
    Referral,
    ReferralStatus,
)

# Each part's name in the first shape (a row's is `<name>_row`) and its enum fields.
PARTS: list[tuple[type[Any], str, dict[str, type[Enum]]]] = [
    (Referral, "referral", {"status": ReferralStatus}),
    (Course, "course", {}),
    (Milestone, "milestone", {}),
    (Agreement, "agreement", {}),
    (Qualification, "qualification", {}),
]


def register_first_shapes(transcoder: JSONTranscoder) -> None:
    """Register the first shapes: still read, and written only where no row is
    registered after them (the ledger and a set keep their shapes)."""
    parts = [PartAsDict(cls, name, enums) for cls, name, enums in PARTS]
    for transcoding in (SetAsList(), *parts, ConsentAsDict(), LedgerAsDict()):
        transcoder.register(transcoding)


class SetAsList(Transcoding):
    type = set
    name = "set"

    def encode(self, obj: set[Any]) -> list[Any]:
        return sorted(obj)

    def decode(self, data: list[Any]) -> set[Any]:
        return set(data)


class PartAsDict(Transcoding):
    """A dataclass as the object of its fields; nested values are transcoded in turn."""

    def __init__(
        self, cls: type[Any], name: str, enums: Mapping[str, type[Enum]] | None = None
    ) -> None:
        self.type, self.name, self.enums = cls, name, dict(enums or {})

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        for name, enum in self.enums.items():
            data[name] = enum(data[name])
        return self.type(**data)


class ConsentAsDict(Transcoding):
    type = Consent
    name = "consent"

    def encode(self, obj: Consent) -> dict[str, Any]:
        return {
            "consent_id": obj.consent_id,
            "recipients": sorted(obj.recipients),
            "purposes": sorted(p.value for p in obj.purposes),
            "categories": sorted(c.value for c in obj.categories),
            "given_on": obj.given_on,
            "expires_at": instant(obj.expires_at),
            "withdrawn_at": instant(obj.withdrawn_at),
        }

    def decode(self, data: dict[str, Any]) -> Consent:
        return Consent(
            consent_id=data["consent_id"],
            recipients=frozenset(data["recipients"]),
            purposes=frozenset(Purpose(p) for p in data["purposes"]),
            categories=frozenset(Category(c) for c in data["categories"]),
            given_on=data["given_on"],
            expires_at=from_instant(data["expires_at"]),
            withdrawn_at=from_instant(data["withdrawn_at"]),
        )


class LedgerAsDict(Transcoding):
    type = ConsentLedger
    name = "consent_ledger"

    def encode(self, obj: ConsentLedger) -> dict[str, Any]:
        return {"consents": obj.consents}

    def decode(self, data: dict[str, Any]) -> ConsentLedger:
        return ConsentLedger(consents=data["consents"])


def instant(at: datetime | None) -> datetime | dict[str, Any] | None:
    """A consent's end is a Berlin midnight (a `ZoneInfo`), which an ISO string with its
    offset would not keep: keep the wall time, fold and zone name instead."""
    if at is not None and isinstance(at.tzinfo, ZoneInfo) and at.tzinfo.key is not None:
        wall = at.replace(tzinfo=None).isoformat()
        return {"wall": wall, "fold": at.fold, "zone": at.tzinfo.key}
    return at


def from_instant(data: datetime | dict[str, Any] | None) -> datetime | None:
    if isinstance(data, dict):
        wall = datetime.fromisoformat(data["wall"])
        return wall.replace(tzinfo=ZoneInfo(data["zone"]), fold=data["fold"])
    return data
