"""A view: tables written with their tracking position in one transaction."""

import itertools
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
from eventsourcing.persistence import Tracking

from coordination.adapters.store.database import Cursor, Database, Params
from projections.tracking import ViewTracking


@contextmanager
def _pipelined(db: Database, cursor: Cursor) -> Iterator[Cursor]:
    """A cursor whose statements, on PostgreSQL, go out without waiting for each answer:
    a batch's thousands of small writes otherwise cost one round trip each. Errors
    surface when the block ends, before the commit."""
    if db.dialect != "postgres":  # SQLite is in-process: no round trips to save
        yield cursor
        return
    assert isinstance(cursor, psycopg.Cursor)
    with cursor.connection.pipeline(), cursor.connection.cursor() as writer:
        yield writer


class View(ViewTracking):
    """Base of every view: a tracking recorder that also owns tables. Writes happen
    only inside `batch()`, whose transaction also records the last position
    processed, so a crash keeps both or neither."""

    name: ClassVar[str]
    tables: ClassVar[Sequence[str]]  # CREATE statements, in order
    table_names: ClassVar[Sequence[str]]  # cleared, in this order, on rebuild

    def __init__(self, db: Database) -> None:
        super().__init__(db, self.name)
        self._cursor: Cursor | None = None
        self._queued: list[tuple[str, Params]] = []

    def create_tables(self) -> None:
        self.create_table()
        with self.db.transaction() as cursor:
            for statement in self.tables:
                self.db.run(cursor, statement)

    @contextmanager
    def batch(self, last: Tracking) -> Iterator[None]:
        """The position is recorded first, in the batch's transaction. Handlers' writes
        are queued and sent together when the events are done (a read in between, such
        as a case key, goes at once through `_cursor`); then `finish_batch` runs."""
        with self.db.transaction() as cursor:
            self._cursor, self._queued = cursor, []
            try:
                # A write first: on SQLite it waits for the write lock. A transaction
                # that reads first and writes later fails at once ("database is
                # locked") if another connection wrote in between.
                self.track(cursor, last)
                yield
                self._flush(cursor)
                self.finish_batch()
                self._flush(cursor)
            finally:
                self._cursor, self._queued = None, []

    def finish_batch(self) -> None:
        """Work after a batch's events and their writes, in its transaction."""

    def write(self, statement: str, params: Params = ()) -> None:
        assert self._cursor is not None, "views are written inside batch()"
        self._queued.append((statement, params))

    def _flush(self, cursor: Cursor) -> None:
        queued, self._queued = self._queued, []
        if queued:
            with _pipelined(self.db, cursor) as writer:
                # A run of the same statement goes as one executemany: psycopg's cost
                # per statement was a third of a rebuild's time.
                for statement, run in itertools.groupby(queued, key=lambda q: q[0]):
                    self.db.run_many(writer, statement, [params for _, params in run])

    def clear(self) -> None:
        """Forget every row and the position, so the view rebuilds from zero."""
        with self.db.transaction() as cursor:
            for table in self.table_names:
                self.db.run(cursor, f"DELETE FROM {{p}}{table}")
            self.forget(cursor)

    def position(self, application_name: str) -> int:
        return self.max_tracking_id(application_name) or 0

    def wait_for(self, application_name: str, position: int, timeout: float) -> bool:
        """Whether the view reached `position` within `timeout` seconds."""
        deadline, pause = time.monotonic() + timeout, 0.005
        while self.position(application_name) < position:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
        return True

    def rows(self, statement: str, params: Params = ()) -> list[dict[str, Any]]:
        return self.db.fetch_all(statement, params)
