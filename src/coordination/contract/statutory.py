"""Request bodies of the statutory rule book's routes (beyond the shared contract).

Unknown fields are refused; kinds, categories and purposes are the closed vocabularies,
so a misspelt one is a 422 `validation-error`. What only the book can judge (a duplicate
id, a last day before the first) is its own refusal, `invalid-rule` or `conflict`.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.contract.requests import NO_NUL, Day, Slug
from coordination.domain.identity import AgencyKind

CONFIG = ConfigDict(extra="forbid")
Citation = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=NO_NUL)]
Kinds = Annotated[list[AgencyKind], Field(min_length=1, max_length=len(AgencyKind))]
Categories = Annotated[list[Category], Field(min_length=1, max_length=len(Category))]


class NormIn(BaseModel):
    model_config = CONFIG

    citation: Citation = Field(examples=["§ 69 Abs. 1 Nr. 1 SGB X"])
    text: Text = Field(description="a short, cautious paraphrase of what it permits")


class RuleIn(BaseModel):
    """What a rule says: from which kinds of agencies to which, what, why, on which norm,
    on which days (German calendar days, both included)."""

    model_config = CONFIG

    from_kinds: Kinds
    to_kinds: Kinds
    categories: Categories
    purpose: Purpose
    norm: NormIn
    valid_from: Day
    valid_until: Day | None = None

    def rule(self, rule_id: str) -> StatutoryRule:
        return StatutoryRule(
            rule_id=rule_id, from_kinds=frozenset(k.value for k in self.from_kinds),
            to_kinds=frozenset(k.value for k in self.to_kinds),
            categories=frozenset(self.categories), purpose=self.purpose,
            norm=Norm(self.norm.citation, self.norm.text), valid_from=self.valid_from,
            valid_until=self.valid_until,
        )  # fmt: skip


class AddRule(RuleIn):
    rule_id: Slug
    reason: Text


class ChangeRule(RuleIn):
    """The rule as it reads from now on, whole."""

    reason: Text


class RetireRule(BaseModel):
    model_config = CONFIG

    reason: Text
