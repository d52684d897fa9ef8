"""Application recorders that commit extra rows in the events' own transaction.

`Application.save(case, also=[...])` passes `also` down to the recorder, which
runs the statements after the events insert in the same transaction (SQLite in
`_insert_events`, PostgreSQL after the notification ids are fetched), so an
idempotency result exists exactly when its event does, and a clash of either
raises IntegrityError and commits nothing. Rows passed as `first=[...]` go in the
same transaction before the events, on PostgreSQL before the events table's lock is
taken, so that a bulk import's key rows and entries do not lengthen it. Both also
look up an event's store-wide position, which replayed responses need.

This is the one module that overrides eventsourcing's private methods (the append's
hooks); tests/unit/test_library_pins.py pins what it relies on in the library.

In the same place both write each event's row of `event_hashes` (its case hash
and the store-wide chain hash, coordination.adapters.hashing.chain), so an event and its
proof commit together or not at all. They create that table with their own.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg.sql import SQL, Composable, Composed, Identifier

from coordination.adapters.hashing.chain import (
    ZERO,
    Digests,
    EventRow,
    Link,
    NewEvent,
    case_digests,
    case_key,
    link_batch,
)

HASHES_TABLE = "event_hashes"
# One row per event: position is the event's notification id, unique like it.
_HASHES_COLUMNS = (
    "case_id TEXT NOT NULL, version BIGINT NOT NULL, position BIGINT NOT NULL UNIQUE,"
    " event_hash TEXT NOT NULL, chain_hash TEXT NOT NULL, PRIMARY KEY (case_id, version)"
)


@dataclass(frozen=True)
class RowWrite:
    """One statement, already in the dialect of the store, with its parameters."""

    statement: str
    params: tuple[Any, ...]


@runtime_checkable
class PositionLookup(Protocol):
    def position_of(self, case_id: UUID, version: int) -> int | None: ...


def _rows(kwargs: dict[str, Any], when: str) -> Sequence[RowWrite]:
    rows: Sequence[RowWrite] = kwargs.get(when, ())
    return rows


def _first(rows: Any, column: str) -> int | None:
    return int(rows[0][column]) if rows else None


def _case_keys(stored: Sequence[StoredEvent]) -> list[str]:
    return [case_key(e.originator_id) for e in stored]


def _starting(stored: Sequence[StoredEvent], cases: Sequence[str]) -> Digests:
    """The event hashes of the cases this batch starts (it holds their version 1), made
    before the lock from ZERO: the guess that nothing of them is stored, which the heads
    read under the lock confirms (a case it finds is hashed again there)."""
    fresh = {c for e, c in zip(stored, cases, strict=True) if e.originator_version == 1}
    events = [NewEvent(c, e.originator_version, e.topic, e.state)
              for e, c in zip(stored, cases, strict=True) if c in fresh]  # fmt: skip
    return case_digests(events, lambda _case, _version: ZERO)


def _new_events(
    stored: Sequence[StoredEvent], positions: Sequence[int], cases: Sequence[str]
) -> list[EventRow]:
    return [
        EventRow(p, c, e.originator_version, e.topic, e.state)
        for e, p, c in zip(stored, positions, cases, strict=True)
    ]


def _hash_rows(links: list[Link]) -> list[tuple[str, int, int, str, str]]:
    return [(k.case_id, k.version, k.position, k.event_hash.hex(), k.chain_hash.hex())
            for k in links]  # fmt: skip


def _hash_columns(links: list[Link]) -> tuple[str, str, str, str, str]:
    """`_hash_rows` as one comma-joined text per column, which PostgreSQL splits. Built
    column by column, not from the rows: it runs while the lock is held, and going
    through the rows took twice as long (0.4 against 0.2 µs per row, measured)."""
    return (",".join([k.case_id for k in links]), ",".join([str(k.version) for k in links]),
            ",".join([str(k.position) for k in links]),
            ",".join([k.event_hash.hex() for k in links]),
            ",".join([k.chain_hash.hex() for k in links]))  # fmt: skip


def _columns(
    stored: Sequence[StoredEvent], cases: Sequence[str]
) -> tuple[str, str, str, list[bytes]]:
    return (",".join(cases), ",".join([str(e.originator_version) for e in stored]),
            ",".join([e.topic for e in stored]), [e.state for e in stored])  # fmt: skip


def _digest(rows: Any, column: str) -> bytes:
    return bytes.fromhex(rows[0][column]) if rows else ZERO


class SQLiteCaseRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {HASHES_TABLE} ({_HASHES_COLUMNS})",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        for write in _rows(kwargs, "first"):
            c.execute(write.statement, write.params)
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if stored_events and notification_ids is not None:
            # The inserts above hold SQLite's single write lock: nobody else can
            # append between reading the chain heads and writing our rows.
            links = link_batch(
                _new_events(stored_events, notification_ids, _case_keys(stored_events)),
                lambda case, version: self._case_head(c, case, version),
                lambda position: self._chain_head(c, position),
            )
            c.executemany(
                f"INSERT INTO {HASHES_TABLE} VALUES (?, ?, ?, ?, ?)",  # noqa: S608 (our table)
                _hash_rows(links),
            )
        for write in _rows(kwargs, "also"):
            c.execute(write.statement, write.params)
        return notification_ids

    @staticmethod
    def _case_head(c: SQLiteCursor, case_id: str, version: int) -> bytes:
        c.execute(
            f"SELECT event_hash FROM {HASHES_TABLE} WHERE case_id = ? AND version < ?"  # noqa: S608
            " ORDER BY version DESC LIMIT 1",
            (case_id, version),
        )
        return _digest(c.fetchall(), "event_hash")

    @staticmethod
    def _chain_head(c: SQLiteCursor, position: int) -> bytes:
        c.execute(
            f"SELECT chain_hash FROM {HASHES_TABLE} WHERE position < ?"  # noqa: S608
            " ORDER BY position DESC LIMIT 1",
            (position,),
        )
        return _digest(c.fetchall(), "chain_hash")

    def position_of(self, case_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {self.events_table_name}"  # noqa: S608 (our table name)
                " WHERE originator_id = ? AND originator_version = ?",
                (case_id.hex, version),
            )
            return _first(c.fetchall(), "rowid")


@dataclass
class _Batch:
    """What the recorder's hooks share for one append, made before the lock: each
    event's case key and the hashes of the cases it starts; then the cursor the chain
    heads are read on."""

    cases: list[str]
    known: Digests
    heads: Any = None

    @classmethod
    def of(cls, stored: Sequence[StoredEvent]) -> "_Batch":
        cases = _case_keys(stored)
        return cls(cases, _starting(stored, cases))


class PostgresCaseRecorder(PostgresApplicationRecorder):
    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.hashes = Composed([Identifier(datastore.schema), SQL("."), Identifier(HASHES_TABLE)])
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {} (" + _HASHES_COLUMNS + ")").format(self.hashes)
        )
        # One round trip for every head a batch needs, while the table lock is held:
        # the newest hash of each of its cases, then the newest of the whole chain.
        self._heads = (
            SQL(
                "SELECT c.id AS case_id, h.event_hash AS digest FROM unnest(%s::text[]) AS c(id)"
                " CROSS JOIN LATERAL (SELECT event_hash FROM {0} WHERE case_id = c.id"
                " ORDER BY version DESC LIMIT 1) AS h"
                " UNION ALL (SELECT NULL, chain_hash FROM {0} ORDER BY position DESC LIMIT 1)"
            )
            .format(self.hashes)
            .as_bytes(None)
        )
        # Events go in as a column per parameter: the library's composite-type array is
        # escaped field by field as text, which cost three times as much per event
        # while the table lock is held (bulk import). Ids, versions and topics go as one
        # text each, which the server splits: psycopg dumps an array element by element
        # in Python (UUIDs in pure Python), and those parameters are dumped after the
        # lock is asked for. Neither hex, integers nor topics (module:qualified name)
        # hold a comma. The states stay a binary array.
        self._insert_columns = (
            SQL(
                "INSERT INTO {}.{} (originator_id, originator_version, topic, state)"
                " SELECT * FROM unnest(string_to_array(%s, ',')::uuid[],"
                " string_to_array(%s, ',')::bigint[], string_to_array(%s, ','), %b::bytea[])"
                " RETURNING notification_id"
            )
            .format(Identifier(datastore.schema), Identifier(events_table_name))
            .as_bytes(None)
        )
        self._insert_hashes = (
            SQL(
                "INSERT INTO {} SELECT * FROM unnest(string_to_array(%s, ','),"
                " string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')::bigint[],"
                " string_to_array(%s, ','), string_to_array(%s, ','))"
            )
            .format(self.hashes)
            .as_bytes(None)
        )
        # Every statement of an append rendered once: psycopg would compose an SQL
        # object again at each execute, while the table lock is held.
        self.lock_table_statements = [
            cast(Composable, q).as_bytes(None) for q in self.lock_table_statements
        ]
        self._notify = SQL("NOTIFY {}").format(Identifier(self.channel_name)).as_bytes(None)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        batch = _Batch.of(stored_events)  # before the lock: nobody waits for this
        ids: Sequence[int] | None = super().insert_events(stored_events, batch=batch, **kwargs)
        return ids

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # In the transaction, before the lock: rows that cannot clash with another
        # writer's in an order that deadlocks (a bulk import's key rows, sorted, and
        # entries). A clash still rolls back everything, at the sync.
        for write in _rows(kwargs, "first"):
            curs.execute(write.statement, write.params)

    def _insert_stored_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        batch: _Batch = kwargs["batch"]
        columns = _columns(stored_events, batch.cases)  # before the lock: nobody waits
        self._lock_table(curs)
        self._notify_channel(curs)
        # The heads are read in the insert's own round trip, under the same lock, and
        # before it: the rows before this batch. Sent after the insert, a clash of the
        # insert could surface at this execute, outside the library's sync, and come
        # out as "pipeline aborted", which the library retries after 0.2 s.
        batch.heads = curs.connection.cursor()
        # Never prepared: after a clash of the insert, psycopg would take a preparation
        # aborted with it for done ("prepared statement does not exist" next time).
        batch.heads.execute(self._heads, (list(set(batch.cases)),), prepare=False)
        curs.execute(self._insert_columns, columns)

    def _notify_channel(self, curs: Any) -> None:
        curs.execute(self._notify)

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Runs after the events insert, inside the block where the library turns a
        # unique violation into IntegrityError; the nested pipeline block syncs on
        # exit, so a clash of an extra row surfaces here too and rolls back all.
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        also = _rows(kwargs, "also")
        with curs.connection.pipeline():
            if stored_events and notification_ids:
                # The EXCLUSIVE lock on the events table is held: no other writer
                # can append between reading the chain heads and writing our rows.
                batch: _Batch = kwargs["batch"]
                events = _new_events(stored_events, notification_ids, batch.cases)
                found = batch.heads.fetchall()
                heads = {r["case_id"]: bytes.fromhex(r["digest"]) for r in found}
                known = {k: d for k, d in batch.known.items() if k[0] not in heads}
                links = link_batch(
                    events,
                    lambda case, _: heads.get(case, ZERO),
                    lambda _: heads.get(None, ZERO),
                    known,
                )
                curs.execute(self._insert_hashes, _hash_columns(links))
            for write in also:
                curs.execute(write.statement, write.params)
        return notification_ids

    def position_of(self, case_id: UUID, version: int) -> int | None:
        statement = SQL(
            "SELECT notification_id FROM {}.{} WHERE originator_id = %s AND originator_version = %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (case_id, version))
            return _first(curs.fetchall(), "notification_id")
