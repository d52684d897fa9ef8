"""What the store's recorders (adapters/store/recorders.py, the one module that overrides
eventsourcing's private methods) rely on in eventsourcing 9.5.6.

The recorders write each event's hash-chain row and the rows committed with it from
inside the library's append: they override its private hooks and call its private
steps. A release that renames a hook, changes its parameters or stops calling it would
leave our override silently unused, and events without their hash rows. These tests fail
first: read the release's append, move the overrides, then update the pins.
"""

import inspect

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteApplicationRecorder
from psycopg_pool import ConnectionPool
from psycopg_pool.base import BasePool

from coordination.adapters.store.recorders import PostgresCaseRecorder, SQLiteCaseRecorder

# (class, method) -> its signature in the release the overrides were written against.
SIGNATURES = {
    (SQLiteApplicationRecorder, "_insert_events"): (
        "(self, c: 'SQLiteCursor', stored_events: 'Sequence[StoredEvent]', **_: 'Any')"
        " -> 'Sequence[int] | None'"
    ),
    (SQLiteApplicationRecorder, "construct_create_table_statements"): "(self) -> 'list[str]'",
    (PostgresApplicationRecorder, "insert_events"): (
        "(self, stored_events: 'Sequence[StoredEvent]', **kwargs: 'Any') -> 'Sequence[int] | None'"
    ),
    (PostgresApplicationRecorder, "_insert_events"): (
        "(self, curs: 'Cursor[DictRow]', stored_events: 'Sequence[StoredEvent]', **_: 'Any')"
        " -> 'None'"
    ),
    (PostgresApplicationRecorder, "_insert_stored_events"): (
        "(self, curs: 'Cursor[DictRow]', stored_events: 'Sequence[StoredEvent]',"
        " **kwargs: 'Any') -> 'None'"
    ),
    (PostgresApplicationRecorder, "_lock_table"): "(self, curs: 'Cursor[DictRow]') -> 'None'",
    (PostgresApplicationRecorder, "_notify_channel"): ("(self, curs: 'Cursor[DictRow]') -> 'None'"),
    (PostgresApplicationRecorder, "_fetch_ids_after_insert_events"): (
        "(self, curs: 'Cursor[DictRow]', stored_events: 'Sequence[StoredEvent]', **_: 'Any')"
        " -> 'Sequence[int] | None'"
    ),
}

# method -> what its body must still do for the overrides to run where they are meant to.
CALLS = {
    (SQLiteAggregateRecorder, "insert_events"): ["self._insert_events(c, stored_events, **kwargs)"],
    (PostgresApplicationRecorder, "insert_events"): [
        "self._insert_events(curs, stored_events, **kwargs)",
        "self._insert_stored_events(curs, stored_events, **kwargs)",
        "self._fetch_ids_after_insert_events(",
    ],
    (PostgresApplicationRecorder, "_insert_stored_events"): [
        "self._lock_table(curs)", "self._notify_channel(curs)",
    ],
    (PostgresApplicationRecorder, "_lock_table"): ["self.lock_table_statements"],
}  # fmt: skip

# Attributes the recorders read or change, made by the library's constructors.
ATTRIBUTES = {
    PostgresApplicationRecorder: ["sql_create_statements", "lock_table_statements",
                                  "channel_name", "events_table_name"],
    SQLiteApplicationRecorder: ["events_table_name"],
}  # fmt: skip


@pytest.mark.parametrize(("owner", "name"), SIGNATURES, ids=lambda v: getattr(v, "__name__", v))
def test_the_hooks_we_override_or_call_keep_their_signatures(owner: type, name: str) -> None:
    assert str(inspect.signature(getattr(owner, name))) == SIGNATURES[owner, name]


@pytest.mark.parametrize(("owner", "name"), CALLS, ids=lambda v: getattr(v, "__name__", v))
def test_the_library_still_calls_them_where_the_overrides_expect(owner: type, name: str) -> None:
    body = inspect.getsource(vars(owner)[name])
    for call in CALLS[owner, name]:
        assert call in body, f"{owner.__name__}.{name} no longer does {call}"


@pytest.mark.parametrize("owner", ATTRIBUTES, ids=lambda v: v.__name__)
def test_the_attributes_we_use_are_made_by_the_library(owner: type) -> None:
    made = inspect.getsource(owner.__init__) + inspect.getsource(owner.__mro__[1].__init__)
    for attribute in ATTRIBUTES[owner]:
        assert f"self.{attribute}" in made, f"{owner.__name__} has no {attribute} any more"


def test_the_recorders_override_only_these_private_methods() -> None:
    """A private method added to the recorders must be pinned here too."""
    pinned = {name for _, name in SIGNATURES if name.startswith("_")}
    for ours, library in ((SQLiteCaseRecorder, SQLiteApplicationRecorder),
                          (PostgresCaseRecorder, PostgresApplicationRecorder)):  # fmt: skip
        overridden = {
            name for name in vars(ours)
            if name.startswith("_") and not name.startswith("__") and hasattr(library, name)
            and callable(vars(ours)[name])
        }  # fmt: skip
        assert overridden <= pinned, overridden - pinned


def test_the_loop_pool_reads_the_datastore_pool_settings() -> None:
    # adapters/store/loop_pool.py makes its async pool with the settings of the
    # datastore's pool (psycopg_pool's), from its `kwargs` and `timeout`.
    assert "self.pool = ConnectionPool(" in inspect.getsource(PostgresDatastore.__init__)
    assert "self.kwargs = kwargs" in inspect.getsource(ConnectionPool.__init__)
    assert "self.timeout = timeout" in inspect.getsource(BasePool.__init__)
