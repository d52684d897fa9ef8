"""GET /v1/caseload: the caller agency's caseload, from the caseload projection."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from coordination.contract.requests import AS_WRITTEN_IN_YEARS
from coordination.domain.identity import Caller, Role
from coordination.domain.rules import SLUG
from coordination.entrypoints.api.convert import as_aware
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import (
    PROJECTED,
    CaseloadOut,
    problem_responses,
    with_headers,
)
from coordination.services.caseload import AsOfInTheFuture, CaseloadRequest

router = APIRouter(prefix="/v1", tags=["read models"])
Reader = Annotated[Caller, Depends(require(Role.CASEWORKER, Role.AUDITOR))]
ERRORS = problem_responses(400, 401, 403, 404, 422, 503)
# What the web app reads of an item besides the contract's fields.
INTERNAL = frozenset({"identity_basis", "awaiting"})
# A slug: anything else names no agency (and PostgreSQL refuses NUL in a text parameter).
AgencyId = Annotated[
    str | None, Query(pattern=rf"^{SLUG.pattern}$", description="auditors: whose caseload")
]


@router.get("/caseload", response_model=CaseloadOut,
            responses=ERRORS | with_headers(200, PROJECTED))  # fmt: skip
def get_caseload(
    caller: Reader, svc: ServicesDep,
    agency: AgencyId = None,
    role: Literal["lead", "referral_recipient", "course_provider", "milestone_owner"] | None = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    min_position: Annotated[int | None, Query(ge=0, description="wait for this position")] = None,
    as_of: Annotated[datetime | None, Query(
        description="auditors: as it stood then", json_schema_extra=AS_WRITTEN_IN_YEARS)] = None,
) -> JSONResponse:  # fmt: skip
    request = CaseloadRequest(agency, role, overdue, limit, cursor, min_position, as_aware(as_of))
    try:
        page = svc.caseloads.read(caller, request)
    except AsOfInTheFuture as bad:
        # Rendered like any other invalid query: 422 validation-error.
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "as_of"), "msg": str(bad)}]
        ) from bad
    items = [{k: v for k, v in asdict(i).items() if k not in INTERNAL} for i in page.items]
    caseload = CaseloadOut.model_validate({"items": items, "next_cursor": page.next_cursor})
    headers = {"X-Projection-Position": str(page.position)}
    return JSONResponse(caseload.model_dump(mode="json"), headers=headers)
