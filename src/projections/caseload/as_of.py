"""A caseload as it stood at an instant, rebuilt from the events recorded up to it.

No history of the view is kept. The events recorded at or before the instant are
fed through the same `CaseloadProjection` into a throwaway `CaseloadView` in a
private in-memory SQLite database, and the page is read with the same
`read_page`, judged at that instant. So the answer is, by construction, what the
live projection and query showed then. It reads the whole store: fit for an
audit, not for a hot path.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteDatastore

from coordination.adapters.store.database import Database
from projections.caseload.projection import CaseloadProjection
from projections.caseload.query import CaseloadItem, CaseloadQuery, read_page
from projections.caseload.view import CaseloadView

BATCH_SIZE = 500


@dataclass(frozen=True)
class CaseloadAsOf:
    items: list[CaseloadItem]
    next_cursor: str | None
    position: int  # the head of the store when the rebuild read it


def caseload_as_of(app: Application[Any], query: CaseloadQuery) -> CaseloadAsOf:
    """One page of `query.agency`'s caseload as it stood at `query.now`."""
    with scratch_view() as view:
        position = replay(app, CaseloadProjection(view), until=query.now)
        items, next_cursor = read_page(view, query)
    return CaseloadAsOf(items, next_cursor, position)


@contextmanager
def scratch_view() -> Iterator[CaseloadView]:
    """An empty caseload view that disappears afterwards."""
    # One connection only: each connection to ":memory:" is a database of its own.
    datastore = SQLiteDatastore(":memory:", pool_size=1, max_overflow=0)
    try:
        view = CaseloadView(Database(datastore, "sqlite", "public"))
        view.create_tables()
        yield view
    finally:
        datastore.close()


def replay(app: Application[Any], projection: CaseloadProjection, until: datetime) -> int:
    """Feed the events recorded at or before `until`, in store order, in one
    transaction; return the store position read up to."""
    head = app.recorder.max_notification_id() or 0
    if head:
        with projection.view.batch(Tracking(app.name, head)):
            for position, event in events_until(app, head, until):
                projection.process_event(event, Tracking(app.name, position))
    return head


def events_until(
    app: Application[Any], head: int, until: datetime
) -> Iterator[tuple[int, DomainEvent]]:
    """Every event up to `head` whose time is at or before `until`.

    The whole store up to `head` is read, not just up to the first later event:
    an event's time is taken when it is decided, so a slower writer may commit
    an earlier time after a later one.
    """
    start = 1
    while batch := app.recorder.select_notifications(start, BATCH_SIZE, stop=head):
        for notification in batch:
            event = app.mapper.to_domain_event(notification)
            assert isinstance(event, DomainEvent)
            if event.timestamp <= until:
                yield notification.id, event
        start = batch[-1].id + 1
