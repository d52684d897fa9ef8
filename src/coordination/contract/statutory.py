"""Request bodies of the statutory rule book's routes (beyond the shared contract).

Unknown fields are refused; kinds, categories and purposes are the closed vocabularies,
so a misspelt one is a 422 `validation-error`. What only the book can judge (a duplicate
id, a last day before the first) is its own refusal, `invalid-rule` or `conflict`.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.config import JsonDict

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.contract.requests import NO_NUL, Day, Slug
from coordination.domain.identity import AgencyKind

CONFIG = ConfigDict(extra="forbid")
Citation = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=NO_NUL)]
Kinds = Annotated[list[AgencyKind], Field(min_length=1, max_length=len(AgencyKind))]
Categories = Annotated[list[Category], Field(min_length=1, max_length=len(Category))]

# A rule of Leipzig's own: the social office answers the foreigners authority.
ADDED_RULE: JsonDict = {
    "rule_id": "aufenthg-87-1-on-request", "from_kinds": ["kommune"],
    "to_kinds": ["auslaenderbehoerde"], "categories": ["identity", "residence"],
    "purpose": "residence_procedure",
    "norm": {"citation": "§ 87 Abs. 1 AufenthG; § 71 Abs. 2 Satz 1 Nr. 1 SGB X",
             "text": "On request in a single case, a public body tells the foreigners authority"
                     " what it knows of a person, as far as the authority needs it for its tasks"
                     " under the Residence Act; social data only within § 71 Abs. 2 SGB X."},
    "valid_from": "2026-09-01", "valid_until": None,
}  # fmt: skip
# A rule of the starter set, narrowed to the kinds of agencies the deployment has.
CHANGED_RULE: JsonDict = {
    "rule_id": "aufenthg-88a-improper-participation", "from_kinds": ["sprachkurstraeger"],
    "to_kinds": ["auslaenderbehoerde", "jobcenter"], "categories": ["identity", "language"],
    "purpose": "language_course",
    "norm": {"citation": "§ 88a Abs. 1 Satz 2 AufenthG; § 8 Abs. 3 Satz 1 IntV",
             "text": "A course provider may tell the competent foreigners authority or job centre"
                     " that a person does not take part in the integration course properly, and"
                     " under § 8 IntV must tell the foreigners authority or job centre: only for"
                     " a person obliged to attend under § 44a Abs. 1 Satz 1 AufenthG or whose"
                     " course is part of a Kooperationsplan under § 15 Abs. 2 SGB II."},
    "valid_from": "2023-07-01", "valid_until": None,
}  # fmt: skip
ADDED_WHY = "the social office answers the foreigners authority's requests; reviewed by the DPO"
CHANGED_WHY = "no office of the Federal Employment Agency takes part in this deployment"
RETIRED_WHY = "BAMF takes no part in this deployment"


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
    model_config = ConfigDict(json_schema_extra={"examples": [ADDED_RULE | {"reason": ADDED_WHY}]})

    rule_id: Slug
    reason: Text


class ChangeRule(RuleIn):
    """The rule as it reads from now on, whole."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {k: v for k, v in CHANGED_RULE.items() if k != "rule_id"} | {"reason": CHANGED_WHY}
            ]
        }
    )

    reason: Text


class RetireRule(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": RETIRED_WHY}]}
    )

    reason: Text
