"""The custom application recorders, on SQLite and PostgreSQL.

First eventsourcing's own reusable recorder suites run against our subclasses, so
overriding `_insert_events` has not broken the library's contract. Then our own
tests check what the subclasses add: rows in `also` commit or roll back together
with the events, and `position_of` finds an event's notification id.
"""

import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from coordination.adapters.store.recorders import (
    PositionLookup,
    PostgresCaseRecorder,
    RowWrite,
    SQLiteCaseRecorder,
)
from tests.support import PG_DSN, require_postgres

# --------------------------------------------------------------------------- helpers


def _create_schema() -> str:
    """Create a fresh, uniquely named schema in the test database; return its name."""
    schema = f"t_rec_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return schema


def _drop_schema(schema: str) -> None:
    """Drop a schema with everything in it (tables, composite types, functions)."""
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _pg_datastore(schema: str, pool_size: int = 1) -> PostgresDatastore:
    """A datastore on the database named by PG_DSN, with its tables in `schema`."""
    params = conninfo_to_dict(PG_DSN)
    return PostgresDatastore(
        dbname=str(params.get("dbname", "test")),
        host=str(params.get("host", "127.0.0.1")),
        port=str(params.get("port", "5432")),
        user=str(params.get("user", "postgres")),
        password=str(params.get("password", "")),
        schema=schema,
        pool_size=pool_size,
    )


def _pg_recorder(datastore: PostgresDatastore) -> PostgresCaseRecorder:
    recorder = PostgresCaseRecorder(datastore, events_table_name="cases_events")
    recorder.create_table()
    return recorder


def _close_when_threads_end(datastore: SQLiteDatastore | PostgresDatastore) -> None:
    """Close a datastore once the threads a suite test left running have ended.

    The library's `test_concurrent_no_conflicts` signals its two reader threads to
    stop but does not join them. Closing a SQLite connection that a reader is still
    using crashes the interpreter (segmentation fault), so wait for them first.
    """
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout=10)
    datastore.close()


def _sqlite_recorder(db_path: Path, pool_size: int = 5) -> SQLiteCaseRecorder:
    datastore = SQLiteDatastore(db_name=str(db_path), pool_size=pool_size)
    recorder = SQLiteCaseRecorder(datastore, events_table_name="cases_events")
    recorder.create_table()
    return recorder


# ------------------------------------------- eventsourcing's own suites, our recorders


class TestSQLiteCaseRecorderContract(ApplicationRecorderTestCase[SQLiteCaseRecorder]):
    """The library's application-recorder suite on a file-based SQLite database."""

    def setUp(self) -> None:
        super().setUp()
        tmp = tempfile.TemporaryDirectory(prefix="recorders-")
        self.addCleanup(tmp.cleanup)
        self.tmp_dir = Path(tmp.name)

    def create_recorder(self) -> SQLiteCaseRecorder:
        # A new database file for every call, as the suite expects an empty store.
        # The pool is big enough for the suite's 10 writers and 2 readers.
        recorder = _sqlite_recorder(self.tmp_dir / f"{uuid.uuid4().hex}.db", pool_size=20)
        self.addCleanup(_close_when_threads_end, recorder.datastore)
        return recorder


@pytest.mark.postgres
class TestPostgresCaseRecorderContract(ApplicationRecorderTestCase[PostgresCaseRecorder]):
    """The library's application-recorder suite on PostgreSQL, in a schema of its own."""

    def setUp(self) -> None:
        require_postgres()
        super().setUp()
        self.schema = _create_schema()
        self.addCleanup(_drop_schema, self.schema)
        self.datastore = _pg_datastore(self.schema)
        # Cleanups run last-in first-out: the pool closes before the schema is dropped.
        self.addCleanup(_close_when_threads_end, self.datastore)

    def create_recorder(self) -> PostgresCaseRecorder:
        return _pg_recorder(self.datastore)

    def test_insert_subscribe(self) -> None:
        # Not collected by the base class (it is "optional_..."): our PostgreSQL
        # recorder is followed by projections, so run it. The subscription holds a
        # connection of its own while the test keeps writing.
        self.datastore.pool.open()
        self.datastore.pool.resize(2, 2)
        self.optional_test_insert_subscribe()


@pytest.mark.postgres
class TestPostgresCaseRecorderNonInterleaving(NonInterleavingNotificationIDsBaseCase):
    """Two concurrent 1000-event writes get non-overlapping notification id ranges."""

    insert_num = 1000

    def setUp(self) -> None:
        require_postgres()
        super().setUp()
        self.schema = _create_schema()
        self.addCleanup(_drop_schema, self.schema)
        self.datastore = _pg_datastore(self.schema, pool_size=2)
        self.addCleanup(self.datastore.close)

    def create_recorder(self) -> PostgresCaseRecorder:
        return _pg_recorder(self.datastore)


# Imported base classes would otherwise be collected (and fail: they are abstract).
del ApplicationRecorderTestCase
del NonInterleavingNotificationIDsBaseCase


# ----------------------------------------------------- our own tests, on both stores


@dataclass
class Store:
    """A case recorder plus a small side table `(key PRIMARY KEY, value)` for `also` rows."""

    recorder: SQLiteCaseRecorder | PostgresCaseRecorder
    side_table: str
    placeholder: str

    def write(self, key: str, value: str) -> RowWrite:
        """An `also` write in the store's own dialect."""
        p = self.placeholder
        return RowWrite(
            f"INSERT INTO {self.side_table} (key, value) VALUES ({p}, {p})", (key, value)
        )

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> None:
        with self.recorder.datastore.transaction(commit=True) as curs:
            curs.execute(statement, params)

    def side_rows(self) -> dict[str, str]:
        with self.recorder.datastore.transaction(commit=False) as curs:
            curs.execute(f"SELECT key, value FROM {self.side_table}")
            return {row["key"]: row["value"] for row in curs.fetchall()}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        recorder = _sqlite_recorder(tmp_path / "cases.db")
        sqlite_store = Store(recorder, side_table="side_rows", placeholder="?")
        sqlite_store.execute("CREATE TABLE side_rows (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        yield sqlite_store
        recorder.datastore.close()
        return
    require_postgres()
    schema = _create_schema()
    try:
        datastore = _pg_datastore(schema)
        try:
            side_table = f'"{schema}".side_rows'
            pg_store = Store(_pg_recorder(datastore), side_table=side_table, placeholder="%s")
            pg_store.execute(
                f"CREATE TABLE {side_table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            yield pg_store
        finally:
            datastore.close()
    finally:
        _drop_schema(schema)


def _event(case_id: uuid.UUID, version: int) -> StoredEvent:
    return StoredEvent(
        originator_id=case_id, originator_version=version, topic="test:Event", state=b"{}"
    )


def test_also_rows_commit_with_the_events(store: Store) -> None:
    case_id = uuid.uuid4()

    ids = store.recorder.insert_events(
        [_event(case_id, 1), _event(case_id, 2)],
        also=[store.write("k1", "first"), store.write("k2", "second")],
    )

    assert ids is not None
    assert len(ids) == 2
    assert [e.originator_version for e in store.recorder.select_events(case_id)] == [1, 2]
    assert store.side_rows() == {"k1": "first", "k2": "second"}


def test_no_also_keeps_the_plain_insert_working(store: Store) -> None:
    case_id = uuid.uuid4()

    ids = store.recorder.insert_events([_event(case_id, 1)])

    assert ids is not None
    assert len(ids) == 1
    assert store.side_rows() == {}


def test_event_conflict_rolls_back_the_also_rows(store: Store) -> None:
    case_id = uuid.uuid4()
    store.recorder.insert_events([_event(case_id, 1)])
    max_before = store.recorder.max_notification_id()

    # Version 2 is new, version 1 is already stored: the whole batch must fail.
    with pytest.raises(IntegrityError):
        store.recorder.insert_events(
            [_event(case_id, 2), _event(case_id, 1)], also=[store.write("k1", "lost")]
        )

    assert store.side_rows() == {}
    assert [e.originator_version for e in store.recorder.select_events(case_id)] == [1]
    assert store.recorder.max_notification_id() == max_before


def test_also_row_conflict_rolls_back_the_events(store: Store) -> None:
    store.execute(
        f"INSERT INTO {store.side_table} (key, value) VALUES "
        f"({store.placeholder}, {store.placeholder})",
        ("taken", "original"),
    )
    case_id = uuid.uuid4()
    max_before = store.recorder.max_notification_id()

    # The first extra row is fine, the second one clashes with the stored key. Only
    # atomicity is checked here; which error is raised, and how soon, is checked by
    # test_also_row_conflict_is_reported_at_once_as_integrity_error.
    with pytest.raises((IntegrityError, OperationalError)):
        store.recorder.insert_events(
            [_event(case_id, 1), _event(case_id, 2)],
            also=[store.write("fresh", "lost"), store.write("taken", "clash")],
        )

    assert store.recorder.select_events(case_id) == []
    assert store.recorder.max_notification_id() == max_before
    assert store.side_rows() == {"taken": "original"}

    # The store is still usable after the failed transaction.
    ids = store.recorder.insert_events([_event(case_id, 1)], also=[store.write("fresh", "ok")])
    assert ids is not None
    assert len(ids) == 1
    assert store.side_rows() == {"taken": "original", "fresh": "ok"}


def test_also_row_conflict_is_reported_at_once_as_integrity_error(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clash on an `also` row is a conflict, like a clash on an event.

    The application replays a stored idempotency result when saving raises
    IntegrityError, so the clash must surface as IntegrityError from the first
    attempt: not as an OperationalError, which eventsourcing's PostgreSQL recorder
    retries (up to 10 times, 0.2 s apart) and finally re-raises.
    """
    store.execute(
        f"INSERT INTO {store.side_table} (key, value) VALUES "
        f"({store.placeholder}, {store.placeholder})",
        ("taken", "original"),
    )
    attempts = count_attempts(store, monkeypatch)

    for _ in range(20):
        attempts.clear()
        with pytest.raises(IntegrityError):
            store.recorder.insert_events(
                [_event(uuid.uuid4(), 1)], also=[store.write("taken", "clash")]
            )
        assert len(attempts) == 1, f"the conflicting insert was attempted {len(attempts)} times"


def count_attempts(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """One item for each attempt at the insert's transaction: both stores call
    `_insert_events` once per attempt."""
    attempts: list[None] = []
    insert_also_rows = store.recorder._insert_events

    def counting(*args: Any, **kwargs: Any) -> Any:
        attempts.append(None)
        return insert_also_rows(*args, **kwargs)

    monkeypatch.setattr(store.recorder, "_insert_events", counting)
    return attempts


def test_an_event_clash_is_reported_at_once_however_fast_the_database_answers(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers of one case: the later insert clashes on the version. Its error must
    come out as IntegrityError on the first attempt even when PostgreSQL has answered
    before the recorder sends its next statement (a busy server): a statement sent
    after the failed insert would raise "pipeline aborted", which eventsourcing retries
    after 0.2 s, up to ten times."""
    case_id = uuid.uuid4()
    store.recorder.insert_events([_event(case_id, 1)])
    sent = psycopg.Cursor.execute

    def answered_at_once(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        result = sent(cursor, query, *args, **kwargs)
        if isinstance(query, bytes) and query.startswith(b"INSERT INTO"):
            time.sleep(0.05)  # the server's answer is in before anything else is sent
        return result

    attempts = count_attempts(store, monkeypatch)
    monkeypatch.setattr(psycopg.Cursor, "execute", answered_at_once)
    with pytest.raises(IntegrityError):
        store.recorder.insert_events([_event(case_id, 1)])
    assert len(attempts) == 1, f"the clashing insert was attempted {len(attempts)} times"


def test_position_of_returns_the_notification_id(store: Store) -> None:
    assert isinstance(store.recorder, PositionLookup)
    case_a, case_b = uuid.uuid4(), uuid.uuid4()
    ids_a = store.recorder.insert_events([_event(case_a, 1), _event(case_a, 2)])
    ids_b = store.recorder.insert_events([_event(case_b, 1)])
    ids_a3 = store.recorder.insert_events([_event(case_a, 3)])
    assert ids_a is not None
    assert ids_b is not None
    assert ids_a3 is not None

    assert store.recorder.position_of(case_a, 1) == ids_a[0]
    assert store.recorder.position_of(case_a, 2) == ids_a[1]
    assert store.recorder.position_of(case_b, 1) == ids_b[0]
    assert store.recorder.position_of(case_a, 3) == ids_a3[0]
    # The ids are the ones followers read from the notification log.
    notifications = store.recorder.select_notifications(start=None, limit=10)
    by_event = {(n.originator_id, n.originator_version): n.id for n in notifications}
    assert store.recorder.position_of(case_a, 3) == by_event[(case_a, 3)]

    assert store.recorder.position_of(case_a, 4) is None
    assert store.recorder.position_of(case_a, 0) is None
    assert store.recorder.position_of(uuid.uuid4(), 1) is None
