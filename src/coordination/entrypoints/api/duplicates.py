"""GET /v1/possible-duplicates: the cases that may record a person another agency's case
records too, as found when that case was opened (ADR 0059).

A caseworker sees the pairs whose earlier case her agency leads, with the agency that
opened the other: hers is the agency to ask. A DPO sees every pair of the controller's
agencies, on either side. Neither sees the other side's case id; the agency that opened
the later case was told only that a possible duplicate exists.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from coordination.contract.events import Instant
from coordination.contract.examples import CASE_ID
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses

router = APIRouter(prefix="/v1", tags=["cases"])
Reader = Annotated[Caller, Depends(require(Role.CASEWORKER, Role.DPO))]
EXAMPLE: dict[str, Any] = {
    "case_id": CASE_ID, "other_agency": "jobcenter-leipzig",
    "other_agency_name": "Jobcenter Leipzig", "opened_here": False,
    "found_at": "2026-10-12T08:14:03Z", "similarity": 1.0,
}  # fmt: skip


class PossibleDuplicateOut(BaseModel):
    case_id: str = Field(description="the case of the caller's agency (or controller)")
    other_agency: str = Field(description="the agency holding the other case: whom to ask")
    other_agency_name: str
    opened_here: bool = Field(description="true: this case was opened later and found the other")
    found_at: Instant
    similarity: float = Field(description="Dice coefficient of the keyed encodings, 0.75 to 1")


class PossibleDuplicatesOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE]}]})

    items: list[PossibleDuplicateOut]


@router.get("/possible-duplicates", response_model=PossibleDuplicatesOut,
            responses=problem_responses(401, 403))  # fmt: skip
def list_possible_duplicates(caller: Reader, svc: ServicesDep) -> PossibleDuplicatesOut:
    """Newest first."""
    names = {a.agency_id: a.name for a in svc.directory.list_agencies()}
    return PossibleDuplicatesOut(items=[
        PossibleDuplicateOut(
            case_id=n.case_id, other_agency=n.other_agency or "",
            other_agency_name=names.get(n.other_agency or "", n.other_agency or ""),
            opened_here=n.opened_here, found_at=n.found_at, similarity=n.similarity,
        )
        for n in svc.duplicates.notices(caller)
    ])  # fmt: skip
