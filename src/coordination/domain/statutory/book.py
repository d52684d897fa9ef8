"""The rule book: one aggregate, at one fixed id, holding every statutory rule.

Each public method is a command: it runs its guards, then triggers one event. The book
is not a case: it holds no personal data, and its events are not in the case catalogue.
"""

from datetime import datetime
from typing import Any, Self
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate

from consent import Statute, StatutoryRule
from coordination.domain.identity import Actor
from coordination.domain.statutory.entries import RuleBookState, RuleEntry
from coordination.domain.statutory.errors import InvalidRule
from coordination.domain.statutory.events import (
    BookEvent,
    RuleAdded,
    RuleBookOpened,
    RuleChanged,
    RuleRetired,
    fields_of,
)
from coordination.domain.statutory.guards import (
    check_new,
    check_open,
    check_reason,
    check_well_formed,
)

# One book per store, at an id every process derives alike.
BOOK_ID = uuid5(NAMESPACE_URL, "https://coordination.example/statutory-rule-book")


class RuleBook(RuleBookState, Aggregate):
    def __init__(self, recorded_by: str, token_label: str) -> None:
        self.entries: dict[str, RuleEntry] = {}

    @classmethod
    def open(cls, by: Actor, at: datetime) -> Self:
        book: Self = cls._create(
            RuleBookOpened, id=BOOK_ID, timestamp=at, recorded_by=by.agency,
            token_label=by.token_label,
        )  # fmt: skip
        return book

    def add_rule(self, by: Actor, at: datetime, *, rule: StatutoryRule, reason: str) -> None:
        check_well_formed(rule)
        check_reason(reason)
        check_new(self.entries, rule.rule_id)
        self._record(RuleAdded, by, at, **fields_of(rule), reason=reason)

    def change_rule(self, by: Actor, at: datetime, *, rule: StatutoryRule, reason: str) -> None:
        """The rule reads as `rule` from `at` on; it keeps its id."""
        check_well_formed(rule)
        check_reason(reason)
        if check_open(self.entries, rule.rule_id).rule == rule:
            msg = f"rule '{rule.rule_id}' reads like this already"
            raise InvalidRule(msg)
        self._record(RuleChanged, by, at, **fields_of(rule), reason=reason)

    def retire_rule(self, by: Actor, at: datetime, *, rule_id: str, reason: str) -> None:
        check_reason(reason)
        check_open(self.entries, rule_id)
        self._record(RuleRetired, by, at, rule_id=rule_id, reason=reason)

    def statute(self) -> Statute:
        """Every version of every rule, as the consent gate reads the book."""
        return Statute(tuple(v for _, e in sorted(self.entries.items()) for v in e.versions))

    def _record(self, event_class: type[BookEvent], by: Actor, at: datetime, **data: Any) -> None:
        self.trigger_event(
            event_class, timestamp=at, recorded_by=by.agency, token_label=by.token_label, **data
        )
