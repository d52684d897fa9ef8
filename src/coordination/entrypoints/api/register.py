"""GET /v1/cases: the auditor's register of the municipality's cases, open and closed,
page by page or as a sample drawn by a seed (ADR 0050)."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, JsonValue
from pydantic.config import JsonDict

from coordination.contract.events import Instant
from coordination.contract.examples import AT, CASE_ID
from coordination.domain.identity import Caller, Role
from coordination.domain.rules import SLUG
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses
from coordination.services.case_register import MOST_SAMPLED, SEED_LIMIT, CaseSearch
from projections.caseload.register import RegisterEntry

router = APIRouter(prefix="/v1", tags=["audit"])
Auditor = Annotated[Caller, Depends(require(Role.AUDITOR))]
ERRORS = problem_responses(400, 401, 403, 422)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
Day = Annotated[
    date | None,
    Query(
        ge=FIRST_DAY, le=LAST_DAY, json_schema_extra={"pattern": r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"}
    ),
]  # the range, as a generated request keeps it
# Two cases of the register; the cursor names the last, for the page after it.
CASES: list[JsonValue] = [
    {"case_id": "0b7e4f2a-9c1d-4e6b-8a3f-5d2c7e9f1a60", "lead_agency": "abh-leipzig",
     "opened_at": "2026-08-20T10:00:00Z", "last_event_at": "2026-08-28T13:40:00Z",
     "status": "open"},
    {"case_id": CASE_ID, "lead_agency": "abh-leipzig", "opened_at": AT,
     "last_event_at": "2026-09-02T08:31:00Z", "status": "open"},
]  # fmt: skip
PAGE: JsonDict = {
    "items": CASES, "sample": None,
    "next_cursor": "WyIyMDI2LTA5LTAxVDA5OjAwOjAwLjAwMDAwMFoiLCAiNmYxYzJiOWUtNGQzYS00ZThiLTlhN2Mt"
                   "MmU1ZDhmMGIxYTM0Il0",
}  # fmt: skip
SAMPLE: JsonDict = {
    "items": CASES, "next_cursor": None,
    "sample": {"seed": 9087004120375847414, "size": 2, "population": 38},
}  # fmt: skip


class RegisteredCase(BaseModel):
    case_id: UUID
    lead_agency: str
    opened_at: Instant
    last_event_at: Instant
    status: Literal["open", "closed"]


class SampleOut(BaseModel):
    seed: int
    size: int
    population: int


class CaseRegisterOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PAGE, SAMPLE]})

    items: list[RegisteredCase]
    next_cursor: str | None
    sample: SampleOut | None = None


@router.get("/cases", response_model=CaseRegisterOut, responses=ERRORS)
def list_cases(
    caller: Auditor, svc: ServicesDep,
    status: Literal["open", "closed"] | None = None,
    agency: Annotated[str | None, Query(pattern=rf"^{SLUG.pattern}$",
                                        description="the lead agency")] = None,
    opened_from: Annotated[Day, Query(description="first day of opening, German time")] = None,
    opened_to: Annotated[Day, Query(description="last day of opening, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    sample: Annotated[int | None, Query(ge=1, le=MOST_SAMPLED,
                                        description="draw this many cases at random")] = None,
    seed: Annotated[int | None, Query(ge=0, lt=SEED_LIMIT,
                                      description="the seed of an earlier sample")] = None,
) -> CaseRegisterOut:  # fmt: skip
    """The cases of the auditor's municipality, in order of opening. With `sample`,
    that many drawn at random instead, with the seed that draws them again."""
    search = CaseSearch(status, agency, opened_from, opened_to)
    if sample is not None:
        drawn = svc.register.sample(caller, search, sample, seed)
        return CaseRegisterOut(
            items=[_out(e) for e in drawn.entries], next_cursor=None,
            sample=SampleOut(seed=drawn.seed, size=len(drawn.entries),
                             population=drawn.population),
        )  # fmt: skip
    page = svc.register.find(caller, search, limit, cursor)
    return CaseRegisterOut(items=[_out(e) for e in page.entries], next_cursor=page.next_cursor)


def _out(entry: RegisterEntry) -> RegisteredCase:
    return RegisteredCase.model_validate({
        "case_id": entry.case_id, "lead_agency": entry.lead_agency,
        "opened_at": entry.opened_at, "last_event_at": entry.last_event_at,
        "status": "closed" if entry.closed else "open",
    })  # fmt: skip
