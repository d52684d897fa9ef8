"""What the rule book holds of each rule: its versions through time, and its retirement."""

from dataclasses import dataclass, field, replace
from datetime import datetime

from consent import RuleVersion, StatutoryRule


@dataclass
class RuleEntry:
    """One rule's life in the book: its versions, oldest first, each ended by the next
    (or by the retirement)."""

    versions: list[RuleVersion] = field(default_factory=list)
    retired_at: datetime | None = None

    @property
    def rule(self) -> StatutoryRule:
        """The rule as the book holds it now (as it was last, once retired)."""
        return self.versions[-1].rule

    @property
    def added_at(self) -> datetime:
        return self.versions[0].recorded_at

    @property
    def recorded_at(self) -> datetime:
        """When the book took the current version."""
        return self.versions[-1].recorded_at

    def begin(self, rule: StatutoryRule, at: datetime) -> None:
        """A new version from `at`; the one before ends at the same instant."""
        self.end(at)
        self.versions.append(RuleVersion(rule, at, None))

    def end(self, at: datetime) -> None:
        if self.versions:
            self.versions[-1] = replace(self.versions[-1], ended_at=at)


class RuleBookState:
    """The state the rule book's events change."""

    entries: dict[str, RuleEntry]
