"""Retention rules: what a controller keeps of a case it was asked to erase, for how
long, and under which norm (Art. 17 Abs. 3 lit. b GDPR). Data, not code paths: the
shipped set is reviewed against the norms' text, and a deployment names the rules that
apply to it (`COORDINATION_RETENTION_RULES`), since whether this service holds an
authority's file of record is a fact of the deployment, not of the law (ADR 0043).

A part kept is restricted: no agency reads it through the service, its key survives
until the day the rule names, and the erasure event says which rule kept it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from consent import Category
from coordination.domain.identity import AgencyKind


@dataclass(frozen=True)
class RetentionRule:
    rule_id: str
    kinds: frozenset[AgencyKind]
    categories: frozenset[Category]
    years: int  # at most this long after the erasure
    citation: str
    text: str  # the norm's content in a sentence, German

    def keeps(self, kinds: Iterable[AgencyKind]) -> bool:
        return bool(self.kinds & set(kinds))

    def kept_under(self, erased_on: date) -> dict[str, str]:
        """As the erasure event records it: the rule, its norm, and the last day kept."""
        until = _years_after(erased_on, self.years)
        return {"rule_id": self.rule_id, "norm": self.citation, "until": until.isoformat()}


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


K, C = AgencyKind, Category
SHIPPED: tuple[RetentionRule, ...] = (
    RetentionRule(
        "abh-auslaenderdatei-b", frozenset({K.AUSLAENDERBEHOERDE}),
        frozenset({C.IDENTITY, C.RESIDENCE}), 10, "§ 68 Abs. 2 Satz 2 AufenthV",
        "Daten in der Ausländerdatei B sind zehn Jahre nach ihrer Übernahme zu löschen.",
    ),
    RetentionRule(
        "bamf-integrationskurs", frozenset({K.BAMF}),
        frozenset({C.IDENTITY, C.LANGUAGE, C.EDUCATION}), 10, "§ 8 Abs. 6 IntV",
        "Name, Vorname und Geburtsdatum der Kursteilnehmenden sind nach spätestens zehn"
        " Jahren, die übrigen Daten nach spätestens fünf Jahren zu löschen.",
    ),
)  # fmt: skip
BY_ID = {rule.rule_id: rule for rule in SHIPPED}


@dataclass(frozen=True)
class Retention:
    """The retention rules in force in a deployment."""

    rules: tuple[RetentionRule, ...] = ()

    @classmethod
    def named(cls, rule_ids: Sequence[str]) -> "Retention":
        unknown = sorted(set(rule_ids) - BY_ID.keys())
        if unknown:
            msg = f"unknown retention rules: {', '.join(unknown)} (known: {', '.join(BY_ID)})"
            raise ValueError(msg)
        return cls(tuple(BY_ID[r] for r in rule_ids))

    def keeping(self, kinds: Iterable[AgencyKind]) -> RetentionRule | None:
        """The first rule that keeps a part recorded by agencies of these kinds."""
        kinds = set(kinds)
        return next((rule for rule in self.rules if rule.keeps(kinds)), None)
