"""Response bodies of /v1/statutory-rules (apart from responses.py: one resource each)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue
from pydantic.config import JsonDict

from consent import StatutoryRule
from coordination.contract.events import Instant, RecordedBy
from coordination.contract.statutory import ADDED_RULE, CHANGED_RULE, CHANGED_WHY, RETIRED_WHY
from coordination.domain.statutory.starter import STARTER_SET
from coordination.services.statutory import BookEntry, RuleBookState, RuleRecorded, RuleState


class NormOut(BaseModel):
    citation: str
    text: str


class RuleOut(BaseModel):
    rule_id: str
    from_kinds: list[str]
    to_kinds: list[str]
    categories: list[str]
    purpose: str
    norm: NormOut
    valid_from: date
    valid_until: date | None

    @classmethod
    def of(cls, rule: StatutoryRule) -> "RuleOut":
        return cls(
            rule_id=rule.rule_id, from_kinds=sorted(rule.from_kinds),
            to_kinds=sorted(rule.to_kinds), categories=sorted(c.value for c in rule.categories),
            purpose=rule.purpose.value,
            norm=NormOut(citation=rule.norm.citation, text=rule.norm.text),
            valid_from=rule.valid_from, valid_until=rule.valid_until,
        )  # fmt: skip


class RuleStateOut(RuleOut):
    status: Literal["in_force", "not_yet_in_force", "expired", "retired"]
    added_at: Instant
    recorded_at: Instant  # when the book took the rule as it reads now
    retired_at: Instant | None

    @classmethod
    def of_state(cls, state: RuleState) -> "RuleStateOut":
        rule = RuleOut.of(state.rule).model_dump()
        return cls(**rule, status=state.status.value, added_at=state.added_at,
                   recorded_at=state.recorded_at, retired_at=state.retired_at)  # fmt: skip


# The book as Leipzig's admin left it: one rule added, one narrowed, one retired (versions
# 8 to 10); `coordination migrate` recorded the starter set before.
MIGRATED = "2026-08-03T06:00:00Z"
ADMIN: JsonDict = {"agency": "stadt-leipzig", "token_label": "admin-konsole", "user": None}


def _starter(rule_id: str) -> JsonDict:
    rule = next(r for r in STARTER_SET if r.rule_id == rule_id)
    return RuleOut.of(rule).model_dump(mode="json")


ADDED: JsonDict = ADDED_RULE | {
    "status": "in_force", "added_at": "2026-09-05T08:00:00Z",
    "recorded_at": "2026-09-05T08:00:00Z", "retired_at": None,
}  # fmt: skip
CHANGED: JsonDict = CHANGED_RULE | {
    "status": "in_force", "added_at": MIGRATED, "recorded_at": "2026-09-05T08:10:00Z",
    "retired_at": None,
}  # fmt: skip
RETIRED: JsonDict = _starter("aufenthg-88a-bamf-on-request") | {
    "status": "retired", "added_at": MIGRATED, "recorded_at": MIGRATED,
    "retired_at": "2026-09-05T08:20:00Z",
}  # fmt: skip


class StatutoryRulesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"book_version": 10, "rules": [RETIRED, CHANGED]}]}
    )

    book_version: int
    rules: list[RuleStateOut]

    @classmethod
    def of(cls, book: RuleBookState) -> "StatutoryRulesOut":
        return cls(book_version=book.version, rules=[RuleStateOut.of_state(r) for r in book.rules])


class RuleRecordedOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"book_version": 8, "rule": ADDED},
                {"book_version": 9, "rule": CHANGED},
                {"book_version": 10, "rule": RETIRED},
            ]
        }
    )

    book_version: int
    rule: RuleStateOut

    @classmethod
    def of(cls, recorded: RuleRecorded) -> "RuleRecordedOut":
        return cls(book_version=recorded.version, rule=RuleStateOut.of_state(recorded.state))


class BookEntryOut(BaseModel):
    type: str
    version: int
    recorded_at: Instant
    recorded_by: RecordedBy
    rule_id: str | None
    reason: str | None
    rule: RuleOut | None  # as it reads after an addition or a change

    @classmethod
    def of(cls, entry: BookEntry) -> "BookEntryOut":
        by = RecordedBy(agency=entry.recorded_by, token_label=entry.token_label)
        rule = RuleOut.of(entry.rule) if entry.rule else None
        return cls(
            type=entry.type, version=entry.version, recorded_at=entry.recorded_at,
            recorded_by=by, rule_id=entry.rule_id, reason=entry.reason, rule=rule,
        )  # fmt: skip


# The last two entries of the book's history.
HISTORY: list[JsonValue] = [
    {"type": "RuleChanged", "version": 9, "recorded_at": "2026-09-05T08:10:00Z",
     "recorded_by": ADMIN, "rule_id": CHANGED_RULE["rule_id"], "reason": CHANGED_WHY,
     "rule": CHANGED_RULE},
    {"type": "RuleRetired", "version": 10, "recorded_at": "2026-09-05T08:20:00Z",
     "recorded_by": ADMIN, "rule_id": RETIRED["rule_id"], "reason": RETIRED_WHY, "rule": None},
]  # fmt: skip


class RuleBookHistoryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"events": HISTORY}]})

    events: list[BookEntryOut]
