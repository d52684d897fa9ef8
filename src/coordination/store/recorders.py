"""Application recorders that commit extra rows in the events' own transaction.

`Application.save(case, also=[...])` passes `also` down to the recorder, which
runs the statements after the events insert in the same transaction (SQLite in
`_insert_events`, PostgreSQL after the notification ids are fetched), so an
idempotency result exists exactly when its event does, and a clash of either
raises IntegrityError and commits nothing. Both also look up an
event's store-wide position, which replayed responses need.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg.sql import SQL, Identifier


@dataclass(frozen=True)
class RowWrite:
    """One statement, already in the dialect of the store, with its parameters."""

    statement: str
    params: tuple[Any, ...]


@runtime_checkable
class PositionLookup(Protocol):
    def position_of(self, case_id: UUID, version: int) -> int | None: ...


def _also(kwargs: dict[str, Any]) -> Sequence[RowWrite]:
    also: Sequence[RowWrite] = kwargs.get("also", ())
    return also


def _first(rows: Any, column: str) -> int | None:
    return int(rows[0][column]) if rows else None


class SQLiteCaseRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        for write in _also(kwargs):
            c.execute(write.statement, write.params)
        return notification_ids

    def position_of(self, case_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {self.events_table_name}"  # noqa: S608 (our table name)
                " WHERE originator_id = ? AND originator_version = ?",
                (case_id.hex, version),
            )
            return _first(c.fetchall(), "rowid")


class PostgresCaseRecorder(PostgresApplicationRecorder):
    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Runs after the events insert, inside the block where the library turns a
        # unique violation into IntegrityError; the nested pipeline block syncs on
        # exit, so a clash of an extra row surfaces here too and rolls back all.
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        also = _also(kwargs)
        if also:
            with curs.connection.pipeline():
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
