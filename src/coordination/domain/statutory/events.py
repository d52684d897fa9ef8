"""The rule book's events: what happened to a rule, who recorded it and why.

Each changes the book's state only in its own `apply`, so replaying the history runs
no guard and never reads the clock; the instant a version starts or ends is the
event's own timestamp.
"""

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.domain.statutory.entries import RuleBookState, RuleEntry


class RuleBookOpened(Aggregate.Created):
    """The book was started (once, before its first rule)."""

    recorded_by: str
    token_label: str


class BookEvent(Aggregate.Event):
    """An event of the rule book after its opening: who recorded it, through which token."""

    recorded_by: str
    token_label: str


class RuleWorded(BookEvent):
    """An event that states a rule whole: what it permits, on which norm, on which days."""

    rule_id: str
    from_kinds: list[str]
    to_kinds: list[str]
    categories: list[str]
    purpose: str
    citation: str
    norm_text: str
    valid_from: date
    valid_until: date | None
    reason: str


class RuleAdded(RuleWorded):
    def apply(self, book: RuleBookState) -> None:
        book.entries[self.rule_id] = RuleEntry()
        book.entries[self.rule_id].begin(rule_of(self), self.timestamp)


class RuleChanged(RuleWorded):
    """The rule now reads as given, whole; the version before ends at this instant."""

    def apply(self, book: RuleBookState) -> None:
        book.entries[self.rule_id].begin(rule_of(self), self.timestamp)


class RuleRetired(BookEvent):
    """The rule applies no more from this instant; for instants before, it still does."""

    rule_id: str
    reason: str

    def apply(self, book: RuleBookState) -> None:
        entry = book.entries[self.rule_id]
        entry.end(self.timestamp)
        entry.retired_at = self.timestamp


# Every class of the rule book's history, for whoever must tell its events from a case's.
BOOK_EVENTS = (RuleBookOpened, BookEvent, RuleWorded, RuleAdded, RuleChanged, RuleRetired)


def fields_of(rule: StatutoryRule) -> dict[str, Any]:
    """A rule as its events carry it: sets as sorted lists, so equal rules store equally."""
    return {
        "rule_id": rule.rule_id, "from_kinds": sorted(rule.from_kinds),
        "to_kinds": sorted(rule.to_kinds), "categories": sorted(c.value for c in rule.categories),
        "purpose": rule.purpose.value, "citation": rule.norm.citation,
        "norm_text": rule.norm.text, "valid_from": rule.valid_from,
        "valid_until": rule.valid_until,
    }  # fmt: skip


def rule_of(event: RuleWorded) -> StatutoryRule:
    return StatutoryRule(
        rule_id=event.rule_id, from_kinds=frozenset(event.from_kinds),
        to_kinds=frozenset(event.to_kinds),
        categories=frozenset(Category(c) for c in event.categories),
        purpose=Purpose(event.purpose), norm=Norm(event.citation, event.norm_text),
        valid_from=event.valid_from, valid_until=event.valid_until,
    )  # fmt: skip
