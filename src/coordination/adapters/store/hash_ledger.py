"""Reading the events and their hash rows for verification, on both stores.

Reads are bounded by the head taken first, in one statement: rows committed
later all lie above it (the writers' lock makes commit order notification
order), so a walk that runs while the service writes sees a consistent prefix
and never mistakes a half-seen commit for tampering.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from coordination.adapters.hashing.chain import EventRow, case_key
from coordination.adapters.hashing.verify import CaseRow, HashRow
from coordination.adapters.store.database import Database

PAGE = 1000


@dataclass(frozen=True)
class Head:
    """The highest positions of the events table and of event_hashes, read together."""

    events: int
    hashes: int

    @property
    def last(self) -> int:
        return max(self.events, self.hashes)


class HashLedger:
    def __init__(self, db: Database, events_table: str, hashes_table: str) -> None:
        self.db = db
        self.events = "{p}" + events_table
        self.hashes = "{p}" + hashes_table
        # SQLite numbers events by rowid; PostgreSQL by its notification_id column.
        self.position = "rowid" if db.dialect == "sqlite" else "notification_id"

    def _case_param(self, case_id: str) -> Any:
        # The events table keeps UUIDs as 32 hex characters on SQLite, as uuid on PostgreSQL.
        return case_id if self.db.dialect == "sqlite" else UUID(hex=case_id)

    def head(self) -> Head:
        row = self.db.fetch_one(
            f"SELECT (SELECT MAX({self.position}) FROM {self.events}) AS events,"  # noqa: S608
            f" (SELECT MAX(position) FROM {self.hashes}) AS hashes"
        )
        assert row is not None
        return Head(int(row["events"] or 0), int(row["hashes"] or 0))

    def events_up_to(self, last: int) -> Iterator[EventRow]:
        after = 0
        while True:
            rows = self.db.fetch_all(
                f"SELECT {self.position} AS position, originator_id, originator_version,"  # noqa: S608
                f" topic, state FROM {self.events}"
                f" WHERE {self.position} > %s AND {self.position} <= %s"
                f" ORDER BY {self.position} LIMIT %s",
                (after, last, PAGE),
            )
            yield from (_stored(r) for r in rows)
            if len(rows) < PAGE:
                return
            after = int(rows[-1]["position"])

    def hashes_up_to(self, last: int, after: int = 0) -> Iterator[HashRow]:
        while True:
            rows = self.db.fetch_all(
                f"SELECT * FROM {self.hashes} WHERE position > %s AND position <= %s"  # noqa: S608
                " ORDER BY position LIMIT %s",
                (after, last, PAGE),
            )
            yield from (_hash_row(r) for r in rows)
            if len(rows) < PAGE:
                return
            after = int(rows[-1]["position"])

    def hash_at(self, position: int) -> HashRow | None:
        row = self.db.fetch_one(
            f"SELECT * FROM {self.hashes} WHERE position = %s",  # noqa: S608
            (position,),
        )
        return _hash_row(row) if row else None

    def case_rows(self, case_id: UUID, last: int) -> list[CaseRow]:
        """The case's events and hash rows up to `last`, paired by version."""
        key = case_key(case_id)
        events = {
            e.version: e
            for e in map(
                _stored,
                self.db.fetch_all(
                    f"SELECT {self.position} AS position, originator_id, originator_version,"  # noqa: S608
                    f" topic, state FROM {self.events}"
                    f" WHERE originator_id = %s AND {self.position} <= %s",
                    (self._case_param(key), last),
                ),
            )
        }
        hashes: dict[int, tuple[HashRow, str | None]] = {}
        for r in self.db.fetch_all(
            f"SELECT h.*, (SELECT b.chain_hash FROM {self.hashes} b"  # noqa: S608
            "   WHERE b.position < h.position ORDER BY b.position DESC LIMIT 1) AS chain_before"
            f" FROM {self.hashes} h WHERE h.case_id = %s AND h.position <= %s",
            (key, last),
        ):
            hashes[int(r["version"])] = (_hash_row(r), r["chain_before"])
        return [
            CaseRow(events.get(v), hashes[v][0] if v in hashes else None,
                    hashes[v][1] if v in hashes else None)
            for v in sorted(events.keys() | hashes.keys())
        ]  # fmt: skip

    def links(self, first: int, last: int) -> Iterator[tuple[int, str]]:
        """(position, event_hash) of every hash row from `first` to `last`."""
        return ((h.position, h.event_hash) for h in self.hashes_up_to(last, after=first - 1))

    def chain_before(self, position: int) -> str | None:
        row = self.db.fetch_one(
            f"SELECT chain_hash FROM {self.hashes} WHERE position < %s"  # noqa: S608
            " ORDER BY position DESC LIMIT 1",
            (position,),
        )
        return str(row["chain_hash"]) if row else None

    def count_up_to(self, position: int) -> int:
        row = self.db.fetch_one(
            f"SELECT COUNT(*) AS n FROM {self.hashes} WHERE position <= %s",  # noqa: S608
            (position,),
        )
        return int(row["n"]) if row else 0


def _stored(row: dict[str, Any]) -> EventRow:
    return EventRow(
        position=int(row["position"]),
        case_id=case_key(row["originator_id"]),
        version=int(row["originator_version"]),
        topic=str(row["topic"]),
        state=_blob(row["state"]),
    )


def _blob(value: Any) -> bytes:
    """The state as stored. SQLite columns take any type, so a hand-written TEXT or
    NULL must not pass for the blob it resembles: it gets bytes that hash otherwise."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return b"\x00not a blob: " + repr(value).encode()


def _hash_row(row: dict[str, Any]) -> HashRow:
    return HashRow(
        position=int(row["position"]),
        case_id=str(row["case_id"]),
        version=int(row["version"]),
        event_hash=str(row["event_hash"]),
        chain_hash=str(row["chain_hash"]),
    )
