"""Statutory rules: transfers a statute permits between kinds of agencies, whatever the
person says, and the rule book that holds them through time.

A rule names the kinds of agencies that may pass data, the kinds that may receive it,
the categories, one purpose, the norm it rests on and the German calendar days it is in
force, like a consent's. The book is temporal twice over: a rule is in force on its
days, and each version of a rule was recorded at one instant and ended (changed or
retired) at another, so the book answers "as it stood at `at`" for any instant.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from consent.record import end_of_validity, start_of_day
from consent.vocabulary import Category, Purpose


@dataclass(frozen=True)
class Norm:
    citation: str  # "§ 88a Abs. 1 AufenthG"
    text: str  # a short paraphrase of what it permits


@dataclass(frozen=True)
class StatutoryRule:
    rule_id: str
    from_kinds: frozenset[str]
    to_kinds: frozenset[str]
    categories: frozenset[Category]
    purpose: Purpose
    norm: Norm
    valid_from: date
    valid_until: date | None

    def in_force(self, at: datetime) -> bool:
        """From the start of `valid_from` through the whole of `valid_until`, in Germany."""
        if at < start_of_day(self.valid_from):
            return False
        return self.valid_until is None or at < end_of_validity(self.valid_until)

    def permits(self, sender_kind: str, recipient_kind: str, purpose: Purpose | None) -> bool:
        """Whether it speaks of this direction, and of `purpose` unless that is None."""
        return (
            sender_kind in self.from_kinds
            and recipient_kind in self.to_kinds
            and (purpose is None or purpose == self.purpose)
        )


@dataclass(frozen=True)
class RuleVersion:
    """One state of a rule as the book held it, from `recorded_at` until `ended_at`."""

    rule: StatutoryRule
    recorded_at: datetime
    ended_at: datetime | None  # changed or retired at this instant

    def held_at(self, at: datetime) -> bool:
        return self.recorded_at <= at and (self.ended_at is None or at < self.ended_at)


@dataclass(frozen=True)
class Statute:
    """The whole book, every version of every rule."""

    versions: tuple[RuleVersion, ...]

    def rules_at(self, at: datetime) -> list[StatutoryRule]:
        """The rules the book held at `at` that were in force then, ordered by id."""
        held = [v.rule for v in self.versions if v.held_at(at) and v.rule.in_force(at)]
        return sorted(held, key=lambda rule: rule.rule_id)

    def rule(self, rule_id: str, at: datetime) -> StatutoryRule | None:
        """The rule as the book held it at `at` (a read or a transfer names the version it
        rested on); else the last version recorded by then, or the first one after;
        None for a rule the book never held."""
        versions = [v for v in self.versions if v.rule.rule_id == rule_id]
        held = [v for v in versions if v.held_at(at)]
        before = [v for v in versions if v.recorded_at <= at]
        chosen = held or before or versions[:1]
        return chosen[-1].rule if chosen else None

    def covering(
        self, sender_kind: str, recipient_kind: str, purpose: Purpose,
        categories: Iterable[Category], at: datetime,
    ) -> dict[Category, StatutoryRule]:  # fmt: skip
        """Each of `categories` that a rule in force lets an agency of `sender_kind` pass
        to one of `recipient_kind` for `purpose`; the others are absent."""
        permitting = self._permitting(sender_kind, recipient_kind, purpose, at)
        wanted = set(categories)
        return {c: rule for c, rule in permitting.items() if c in wanted}

    def readable(
        self, recorder_kind: str, reader_kind: str, at: datetime, purpose: Purpose | None = None
    ) -> dict[Category, StatutoryRule]:
        """The categories an agency of `reader_kind` may read of what an agency of
        `recorder_kind` recorded: a rule from the recorder's kind to the reader's,
        for `purpose` if one is given."""
        return self._permitting(recorder_kind, reader_kind, purpose, at)

    def _permitting(
        self, sender_kind: str, recipient_kind: str, purpose: Purpose | None, at: datetime
    ) -> dict[Category, StatutoryRule]:
        # The first rule by id answers for a category, so the answer (and what the
        # access log names as its basis) does not change with the order of the history.
        # The direction is asked first: most flows match no rule, and then no date is
        # computed (a write that discloses asks this once per flow).
        matching = [
            v.rule for v in self.versions
            if v.rule.permits(sender_kind, recipient_kind, purpose)
            and v.held_at(at) and v.rule.in_force(at)
        ]  # fmt: skip
        found: dict[Category, StatutoryRule] = {}
        for rule in sorted(matching, key=lambda r: r.rule_id):
            for category in sorted(rule.categories - found.keys()):
                found[category] = rule
        return found


EMPTY_STATUTE = Statute(())
