"""Response bodies. Kept apart from requests: what we answer is not what we accept."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel


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


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers for `responses=`: application/problem+json bodies of the Problem schema.

    429 rate-limited may answer any authenticated request (ADR 0016), so it is always listed.
    """
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {
        s: {"model": Problem, "content": {"application/problem+json": problem}}
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
