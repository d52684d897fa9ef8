"""The service's own tables, on the datastore eventsourcing already opened.

Sharing the event store's connection pool keeps one set of connections per
process and lets a row of ours commit in the same transaction as events.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, Protocol

from eventsourcing.postgres import PostgresDatastore


class Cursor(Protocol):
    def execute(self, statement: Any, params: Any = ..., /) -> Any: ...
    def executemany(self, statement: Any, params: Any, /) -> Any: ...
    def fetchall(self) -> Any: ...
    def fetchone(self) -> Any: ...


class Datastore(Protocol):
    def transaction(self, *, commit: bool) -> Any: ...


Row = dict[str, Any]
Params = Sequence[Any] | Mapping[str, Any]
_NAMED = re.compile(r"%\((\w+)\)s")


class Database:
    def __init__(
        self, datastore: Datastore, dialect: Literal["sqlite", "postgres"], schema: str
    ) -> None:
        self.datastore = datastore
        self.dialect = dialect
        self.prefix = f"{schema}." if dialect == "postgres" else ""

    def sql(self, statement: str) -> str:
        """Statements are written with %s or %(name)s placeholders and {p} before
        table names, and translated here for SQLite (? and :name)."""
        statement = statement.replace("{p}", self.prefix)
        if self.dialect == "postgres":
            return statement
        return _NAMED.sub(r":\1", statement).replace("%s", "?")

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def run(self, cursor: Cursor, statement: str, params: Params = ()) -> None:
        bound = dict(params) if isinstance(params, Mapping) else tuple(params)
        cursor.execute(self.sql(statement), bound)

    def run_many(self, cursor: Cursor, statement: str, params: Sequence[Params]) -> None:
        """One statement for each of several parameter sets, in their order."""
        if len(params) == 1:
            self.run(cursor, statement, params[0])
            return
        bound = [dict(p) if isinstance(p, Mapping) else tuple(p) for p in params]
        cursor.executemany(self.sql(statement), bound)

    def execute(self, statement: str, params: Params = ()) -> None:
        with self.transaction() as cursor:
            self.run(cursor, statement, params)

    def fetch_all(self, statement: str, params: Params = (), *, alone: bool = False) -> list[Row]:
        with self._reading(alone) as cursor:
            self.run(cursor, statement, params)
            return [dict(row) for row in cursor.fetchall()]

    def _reading(self, alone: bool) -> Any:
        """`alone`: on PostgreSQL, whose connections are in autocommit mode, the statement
        is a transaction of its own, one round trip instead of three (BEGIN, ROLLBACK).
        Only the write path's look-ups ask for it: a projection catching up again over
        a view it emptied ran at two thirds of its speed with every read so (ADR 0024).
        SQLite's reads always take the datastore's reader lock."""
        if alone and isinstance(self.datastore, PostgresDatastore):
            return self.datastore.cursor()
        return self.transaction(commit=False)

    def fetch_one(self, statement: str, params: Params = (), *, alone: bool = False) -> Row | None:
        rows = self.fetch_all(statement, params, alone=alone)
        return rows[0] if rows else None
