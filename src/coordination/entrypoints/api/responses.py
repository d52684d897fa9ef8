"""Response bodies. Kept apart from requests: what we answer is not what we accept."""

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from consent import ConsentStatus
from coordination.contract.events import ANSWER, EventOut, Instant, PersonOut
from coordination.domain.parts import ReferralStatus
from coordination.domain.values import AgreementEnd, PlanArea, Side
from coordination.entrypoints.api import answer_examples as example
from coordination.entrypoints.api.problems import CODES


class CaseCreated(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [example.CASE_CREATED]})

    case_id: UUID
    version: int
    possible_duplicate: bool = Field(
        description="true: another agency's case may record the same person; the agency "
        "leading it is told and is the one to ask (ADR 0059)"
    )


class EventRecorded(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [example.EVENT_RECORDED]})

    case_id: UUID
    version: int
    event: EventOut


class CaseHistory(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [example.CASE_HISTORY]})

    case_id: UUID
    events: list[EventOut]
    next_after_version: int | None = Field(
        description="with `limit`: pass as `after_version` for the next page; null: the end"
    )


# The parts of a case's state (`domain/case_view.py`): a part is listed whole when its
# category may be read, or left out. A field sealed with a part's key is null once that
# key is destroyed.


class ConsentOut(BaseModel):
    model_config = ANSWER

    consent_id: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    expires_at: Instant | None = Field(description="the end of its validity; null: none")
    withdrawn_at: Instant | None
    status: ConsentStatus = Field(description="at the moment of reading")


class ReferralOut(BaseModel):
    model_config = ANSWER

    referral_id: str
    from_agency: str
    to_agency: str
    purpose: str
    categories: list[str]
    status: ReferralStatus


class CourseOut(BaseModel):
    model_config = ANSWER

    course_id: str
    course_type: str
    provider: str
    recorded_by: str
    target_level: str | None
    starts_on: date | None
    result: str | None = Field(description="null: still running")
    completed_on: date | None


class MilestoneOut(BaseModel):
    model_config = ANSWER

    milestone_id: str
    title: str | None
    due_on: date
    responsible_agency: str
    met_on: date | None = Field(description="null: still open")
    cancelled_on: date | None = Field(description="cancelled that day: never overdue")
    owner: Side = Field(
        description="whose obligation: the person's (followed up by the responsible agency)"
        " or the responsible agency's"
    )
    area: PlanArea | None = Field(description="the plan area; null: none given")


class AgreementOut(BaseModel):
    model_config = ANSWER

    agreement_id: str
    signed_on: date
    recorded_by: str
    milestones: dict[str, MilestoneOut] = Field(description="by milestone_id")
    next_review_on: date | None = Field(description="the next review agreed; null: none")
    ended: AgreementEnd | None = Field(description="how it ended; null: it runs")
    ended_on: date | None
    parties: list[str] = Field(description="the agencies besides `recorded_by` that signed it")
    acknowledged_on: date | None = Field(
        description="when the person last signed it; null: not recorded yet"
    )


class QualificationOut(BaseModel):
    model_config = ANSWER

    qualification_id: str
    title: str | None
    country: str | None
    recorded_by: str
    level: str | None
    obtained_on: date | None
    recognition: str | None = Field(description="the recognition decided; null: none yet")
    decided_on: date | None


class CaseState(BaseModel):
    """A case as the reader may see it now. A data-protection officer sees its metadata:
    status, agencies and the consents of the officer's controller, no person and no
    parts; an erased case keeps no person."""

    model_config = ConfigDict(**ANSWER, json_schema_extra={"examples": [example.CASE_STATE]})

    case_id: UUID
    version: int
    status: Literal["open", "closed"]
    erased: bool = False
    merged_into: UUID | None = Field(
        None, description="the case this one was merged into (ADR 0061); null: none"
    )
    municipality: str
    lead_agency: str
    opened_at: Instant
    last_event_at: Instant
    person: PersonOut | None = Field(
        None, description="absent: identity and contact both withheld; a withheld one's "
        "fields are left out")  # fmt: skip
    arrived_on: date | None = Field(None, description="absent: identity withheld")
    residence_status: str | None = Field(None, description="absent: residence withheld")
    consents: list[ConsentOut]
    referrals: list[ReferralOut]
    courses: list[CourseOut]
    agreements: list[AgreementOut]
    qualifications: list[QualificationOut]
    withheld: list[str]


_CODE_VALUES: list[JsonValue] = []
_CODE_VALUES.extend(sorted(CODES))


class Problem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [example.PROBLEMS[403]]})

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(json_schema_extra={"enum": _CODE_VALUES})


RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                               "schema": {"type": "integer"}}}  # fmt: skip
# The headers an error answer carries, by status.
PROBLEM_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    429: RETRY_AFTER,
    503: RETRY_AFTER,
}


def _header(description: str, kind: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": kind}}


ETAG = {"ETag": _header('the case\'s version, quoted ("7"): send it back as If-Match')}
# What a write answers besides its body.
WRITTEN = ETAG | {
    "X-Event-Position": _header("the event's position in the store: a read model's"
                                " `min_position`", "integer"),
    "Idempotent-Replayed": _header("`true` when this is the kept answer to an earlier"
                                   " request with the same Idempotency-Key"),
}  # fmt: skip
PROJECTED = {"X-Projection-Position": _header("the store position the read model had"
                                              " taken in when it answered", "integer")}  # fmt: skip
OPENED = WRITTEN | {"Location": _header("the new case: /v1/cases/{case_id}")}


def with_headers(status: int, headers: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """For `responses=`: the headers a success answer carries."""
    return {status: {"headers": headers}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers for `responses=`: application/problem+json bodies of the Problem schema.

    429 rate-limited may answer any authenticated request (ADR 0016), so it is always listed.
    """
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {
        s: {
            "model": Problem,
            "content": {"application/problem+json": problem | {"example": example.PROBLEMS[s]}},
        }
        | ({"headers": PROBLEM_HEADERS[s]} if s in PROBLEM_HEADERS else {})
        for s in sorted({*statuses, 429})
    }


class NextMilestone(BaseModel):
    title: str | None
    due_on: date


class CaseloadItemOut(BaseModel):
    case_id: UUID
    display_name: str | None
    municipality: str
    roles: list[str]
    open_referrals: int
    active_courses: int
    next_milestone: NextMilestone | None
    overdue_milestones: int
    overdue_by_side: dict[str, int] = Field(
        description="the overdue milestones by whose obligation they are: the person's"
        " (`person`) and the agencies' (`agency`)"
    )
    reviews_due: int = Field(
        description="running integration agreements whose review date has come (for the"
        " lead and the agency that concluded them)"
    )
    last_event_at: Instant
    action_needed: bool


class CaseloadOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [example.CASELOAD]})

    items: list[CaseloadItemOut]
    next_cursor: str | None
