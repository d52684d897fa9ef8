"""The statutory rule book's use cases: anyone reads the rules and their history (the law
is public); admins add, change and retire rules; the consent gate asks `statute()` on
every disclosing write and every read, so the book is kept in memory and brought up to
date with one indexed query for the events after the version held (ADR 0038).
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from eventsourcing.persistence import IntegrityError

from consent import EMPTY_STATUTE, Statute, StatutoryRule, start_of_day
from coordination.application.app import CoordinationApplication
from coordination.application.errors import Contended, Forbidden
from coordination.application.rule_book import RuleBookStore, project
from coordination.domain.identity import Actor, Caller, Role
from coordination.domain.statutory import RuleBook, RuleEntry, starter_book
from coordination.domain.statutory.events import RuleWorded, rule_of

# Two admins changing the book at one moment: the later decides again on the newer book.
ATTEMPTS = 5


class RuleStatus(StrEnum):
    IN_FORCE = "in_force"
    NOT_YET_IN_FORCE = "not_yet_in_force"
    EXPIRED = "expired"  # its last day has passed; it was never retired
    RETIRED = "retired"


@dataclass(frozen=True)
class RuleState:
    """A rule as the book holds it now, and where it stands at `at`."""

    rule: StatutoryRule
    status: RuleStatus
    added_at: datetime
    recorded_at: datetime  # when the book took the current version
    retired_at: datetime | None

    @classmethod
    def of(cls, entry: RuleEntry, at: datetime) -> "RuleState":
        return cls(entry.rule, _status(entry, at), entry.added_at, entry.recorded_at,
                   entry.retired_at)  # fmt: skip


def _status(entry: RuleEntry, at: datetime) -> RuleStatus:
    if entry.retired_at is not None:
        return RuleStatus.RETIRED
    if entry.rule.in_force(at):
        return RuleStatus.IN_FORCE
    if at < start_of_day(entry.rule.valid_from):
        return RuleStatus.NOT_YET_IN_FORCE
    return RuleStatus.EXPIRED


@dataclass(frozen=True)
class RuleBookState:
    version: int
    rules: list[RuleState]


@dataclass(frozen=True)
class BookEntry:
    """One event of the book's history: what happened, who recorded it, when and why."""

    type: str
    version: int
    recorded_at: datetime
    recorded_by: str
    token_label: str
    rule_id: str | None
    reason: str | None
    rule: StatutoryRule | None  # the rule as it reads after an addition or a change


@dataclass(frozen=True)
class RuleRecorded:
    state: RuleState
    version: int  # the book's
    position: int  # the event's, in the store


@dataclass(frozen=True)
class Editor:
    """Who changes the book: an actor, in a role (only an admin may)."""

    actor: Actor
    role: Role

    @classmethod
    def of(cls, caller: Caller) -> "Editor":
        return cls(caller.actor, caller.principal.role)


class RuleBookBusy(Contended):
    def __init__(self) -> None:
        Exception.__init__(self, "the rule book is busy; nothing was recorded, please retry")


class StatutoryRules:
    def __init__(self, app: CoordinationApplication) -> None:
        self.app, self.store = app, RuleBookStore(app)
        self._book: RuleBook | None = None  # as of the last look; only `_take` changes it
        self._statute = EMPTY_STATUTE
        self._lock = threading.Lock()

    # Reading

    def statute(self) -> Statute:
        """The book as stored now: the events after the version held, if any, applied to
        the book in memory. Costs one indexed query that usually finds no row."""
        with self._lock:
            held = self._book.version if self._book else 0
        if newer := self.store.events_after(held):
            self._take(newer)
        return self._statute

    def held(self) -> Statute:
        """The book as this process last read or wrote it, without a query."""
        return self._statute

    def rules(self) -> RuleBookState:
        """Every rule the book holds, retired ones too, by id, with their status now."""
        self.statute()
        now = self.app.clock()
        with self._lock:  # the book in memory changes in place as events arrive
            if self._book is None:
                return RuleBookState(0, [])
            entries = sorted(self._book.entries.items())
            return RuleBookState(self._book.version, [RuleState.of(e, now) for _, e in entries])

    def history(self) -> list[BookEntry]:
        """Every event of the book, oldest first."""
        return [_entry(event) for event in self.store.events_after(0)]

    # Writing (admins only)

    def add(self, editor: Editor, rule: StatutoryRule, reason: str) -> RuleRecorded:
        return self._write(editor, rule.rule_id, lambda book, at: book.add_rule(
            editor.actor, at, rule=rule, reason=reason))  # fmt: skip

    def change(self, editor: Editor, rule: StatutoryRule, reason: str) -> RuleRecorded:
        return self._write(editor, rule.rule_id, lambda book, at: book.change_rule(
            editor.actor, at, rule=rule, reason=reason))  # fmt: skip

    def retire(self, editor: Editor, rule_id: str, reason: str) -> RuleRecorded:
        return self._write(editor, rule_id, lambda book, at: book.retire_rule(
            editor.actor, at, rule_id=rule_id, reason=reason))  # fmt: skip

    def _write(
        self, editor: Editor, rule_id: str, decide: Callable[[RuleBook, datetime], None]
    ) -> RuleRecorded:
        if editor.role is not Role.ADMIN:
            msg = "only an admin may change the statutory rules"
            raise Forbidden(msg)
        for _ in range(ATTEMPTS):
            at = self.app.clock()
            # Decided on the stored book, never on the one in memory: a refused command
            # would leave that one changed.
            book = self.store.load() or RuleBook.open(editor.actor, at)
            decide(book, at)
            try:
                position = self.store.save(book)
            except IntegrityError:  # another admin's change came first: decide again
                continue
            self.statute()
            return RuleRecorded(RuleState.of(book.entries[rule_id], at), book.version, position)
        raise RuleBookBusy

    def _take(self, newer: list[Any]) -> None:
        with self._lock:
            held = self._book.version if self._book else 0
            # Another thread may have applied some of them meanwhile.
            self._book = project(self._book, [e for e in newer if e.originator_version > held])
            if self._book is not None:
                self._statute = self._book.statute()


def record_starter_set(app: CoordinationApplication) -> int:
    """The starter set, if the store's rule book has no event yet (`migrate`); how many
    events that recorded. A process doing the same at the same moment loses the race
    for the book's first version and records nothing."""
    store = RuleBookStore(app)
    if store.exists():
        return 0
    book = starter_book(app.clock())
    try:
        store.save(book)
    except IntegrityError:
        return 0
    return book.version


def _entry(event: Any) -> BookEntry:
    rule = rule_of(event) if isinstance(event, RuleWorded) else None
    return BookEntry(
        type=type(event).__name__, version=event.originator_version,
        recorded_at=event.timestamp, recorded_by=event.recorded_by,
        token_label=event.token_label, rule_id=getattr(event, "rule_id", None),
        reason=getattr(event, "reason", None), rule=rule,
    )  # fmt: skip
