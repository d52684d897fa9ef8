"""Transcodings for the state a snapshot of a case holds.

A `Snapshot`'s `state` is the case's `__dict__`: besides strings, dicts, dates and
datetimes (transcoded already for events) it holds the consent ledger and its
consents, the parts of `coordination.domain.parts` and a set. A part or a consent is
written as a row: the list of its field values in declaration order, its dates as ISO
strings and its enums as their values, read back by the field's type. A long case
holds hundreds of parts, and a row costs the JSON decoder no object of its own to
hand to the transcoder (ADR 0029). The first shape, objects of fields, still reads.
The stored shape is the dataclasses' fields and their order: a field appended with a
default reads from an older, shorter row as its default; any other change needs the
stored snapshots deleted at that release (ADR 0020).
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from datetime import date
from enum import Enum
from types import UnionType
from typing import Any, get_args, get_type_hints

from eventsourcing.persistence import JSONTranscoder, Transcoding

from consent import Category, Consent, Purpose
from coordination.adapters.store import transcodings_v1 as v1
from coordination.domain.parts import EmergencyAccess


def register_state_transcodings(transcoder: JSONTranscoder) -> None:
    """Register, beside the library's and `DateAsISO`, what a case's state adds. The
    first shapes go first, to be read; the rows after them are what is written."""
    v1.register_first_shapes(transcoder)
    for cls, name, enums in v1.PARTS:
        transcoder.register(PartAsRow(cls, f"{name}_row", enums))
    # Emergency accesses came after the first shapes: they were only ever rows.
    transcoder.register(PartAsRow(EmergencyAccess, "emergency_access_row", {}))
    transcoder.register(ConsentAsRow())


def _is_date(hint: Any) -> bool:
    return hint is date or (isinstance(hint, UnionType) and date in get_args(hint))


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _by_value(enum: type[Enum]) -> Callable[[str], Any]:
    # A dict lookup: calling the enum class costs a microsecond per value.
    return {member.value: member for member in enum}.__getitem__


_PURPOSE, _CATEGORY = _by_value(Purpose), _by_value(Category)


class PartAsRow(Transcoding):
    """A dataclass as the list of its field values; nested values are transcoded in turn."""

    def __init__(self, cls: type[Any], name: str, enums: Mapping[str, type[Enum]]) -> None:
        self.type, self.name = cls, name
        self.names = [f.name for f in fields(cls)]
        self.least = sum(1 for f in fields(cls) if f.default is MISSING and
                         f.default_factory is MISSING)  # fmt: skip
        hints = get_type_hints(cls)
        self.dates = [i for i, n in enumerate(self.names) if _is_date(hints[n])]
        readers: dict[str, Callable[[Any], Any]] = {n: _by_value(e) for n, e in enums.items()}
        readers |= {self.names[i]: _day for i in self.dates}
        self.readers = [(self.names.index(n), read) for n, read in readers.items()]

    def encode(self, obj: Any) -> list[Any]:
        row = [getattr(obj, n) for n in self.names]
        for i in self.dates:
            row[i] = None if row[i] is None else row[i].isoformat()
        return row

    def decode(self, data: list[Any]) -> Any:
        # A row written before fields were appended (each with a default) is shorter.
        if not self.least <= len(data) <= len(self.names):
            raise ValueError(f"a stored {self.name} has {len(data)} fields, not {len(self.names)}")
        for i, read in self.readers:
            if i < len(data):
                data[i] = read(data[i])
        return self.type(*data)


class ConsentAsRow(Transcoding):
    type = Consent
    name = "consent_row"

    def encode(self, obj: Consent) -> list[Any]:
        return [obj.consent_id, sorted(obj.recipients), sorted(p.value for p in obj.purposes),
                sorted(c.value for c in obj.categories), obj.given_on.isoformat(),
                v1.instant(obj.expires_at), v1.instant(obj.withdrawn_at),
                None if obj.disclosers is None else sorted(obj.disclosers)]  # fmt: skip

    def decode(self, data: list[Any]) -> Consent:
        # Snapshots taken before consents named their disclosers have seven fields.
        consent_id, recipients, purposes, categories, given_on, expires, withdrawn = data[:7]
        disclosers = data[7] if len(data) > 7 else None
        return Consent(
            consent_id, frozenset(recipients), frozenset(map(_PURPOSE, purposes)),
            frozenset(map(_CATEGORY, categories)), date.fromisoformat(given_on),
            v1.from_instant(expires), v1.from_instant(withdrawn),
            None if disclosers is None else frozenset(disclosers),
        )  # fmt: skip


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)
