"""The statutory rule book in the cases' store (ADR 0038).

The book is one more stream of the same `CoordinationApplication`: its events go through
the same mapper (which seals nothing of them: they carry no personal data), the same
group committer and recorder, so each gets its hash-chain row like a case's event, and
the projections see them in the notification log and pass them by. No snapshots: the
book is a few dozen events at most.
"""

from collections.abc import Sequence
from typing import Any

from coordination.application.app import CoordinationApplication
from coordination.domain.statutory import BOOK_ID, RuleBook


class RuleBookStore:
    def __init__(self, app: CoordinationApplication) -> None:
        self.app = app

    def events_after(self, version: int) -> list[Any]:
        """The book's events after `version`, in order: one query on the events' primary
        key (originator id, version), and no row at all when nothing changed."""
        return list(self.app.events.get(BOOK_ID, gt=version))

    def exists(self) -> bool:
        return bool(list(self.app.events.get(BOOK_ID, limit=1)))

    def load(self) -> RuleBook | None:
        """The book as stored, or None before `migrate` recorded it."""
        return project(None, self.events_after(0))

    def save(self, book: RuleBook) -> int:
        """Commit the book's new events; the store position of the last. Raises the
        library's IntegrityError when another writer took one of their versions."""
        recordings = self.app.save(book)
        return recordings[-1].notification.id


def project(book: RuleBook | None, events: Sequence[Any]) -> RuleBook | None:
    for event in events:
        book = event.mutate(book)
    return book
