"""Response bodies. Kept apart from requests: what we answer is not what we accept."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, JsonValue

from coordination.entrypoints.api.problems import CODES


class RecordedBy(BaseModel):
    agency: str
    token_label: str
    # The pseudonymous id of the person who acted in the web app; absent for a system.
    user: str | None = None


class EventOut(BaseModel):
    type: str
    version: int
    recorded_at: datetime
    recorded_by: RecordedBy
    data: dict[str, Any] | None
    withheld: list[str] | None = None


class CaseCreated(BaseModel):
    case_id: UUID
    version: int


class EventRecorded(BaseModel):
    case_id: UUID
    version: int
    event: EventOut


class CaseHistory(BaseModel):
    case_id: UUID
    events: list[EventOut]
    next_after_version: int | None = Field(
        description="with `limit`: pass as `after_version` for the next page; null: the end"
    )


class CaseState(BaseModel):
    case_id: UUID
    version: int
    status: str
    erased: bool = False
    municipality: str
    lead_agency: str
    opened_at: datetime
    last_event_at: datetime
    person: dict[str, Any] | None = None
    arrived_on: str | None = None
    residence_status: str | None = None
    consents: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    courses: list[dict[str, Any]]
    agreements: list[dict[str, Any]]
    qualifications: list[dict[str, Any]]
    withheld: list[str]


_CODE_VALUES: list[JsonValue] = []
_CODE_VALUES.extend(sorted(CODES))


class Problem(BaseModel):
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
        s: {"model": Problem, "content": {"application/problem+json": problem}}
        | ({"headers": PROBLEM_HEADERS[s]} if s in PROBLEM_HEADERS else {})
        for s in sorted({*statuses, 429})
    }


class NextMilestone(BaseModel):
    title: str | None
    due_on: str


class CaseloadItemOut(BaseModel):
    case_id: UUID
    display_name: str | None
    municipality: str
    roles: list[str]
    open_referrals: int
    active_courses: int
    next_milestone: NextMilestone | None
    overdue_milestones: int
    last_event_at: str
    action_needed: bool


class CaseloadOut(BaseModel):
    items: list[CaseloadItemOut]
    next_cursor: str | None
