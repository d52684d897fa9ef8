"""GET /v1/audit/verify: the auditor's check of the stored history's hash chains.

Verification reads no personal data and must work exactly when a history cannot
be trusted, so it looks only at stored bytes and hash rows, never loads a case,
and is not limited to the auditor's municipality. Each call is logged.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from coordination.adapters.store.access_log import AccessEntry
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.cases import ERRORS, parse_case_id
from coordination.entrypoints.api.deps import ServicesDep, require

router = APIRouter(prefix="/v1", tags=["audit"])

Auditor = Annotated[Caller, Depends(require(Role.AUDITOR))]


class FirstFailure(BaseModel):
    case_id: str | None
    version: int | None
    reason: str
    position: int | None


class Verification(BaseModel):
    ok: bool
    events_checked: int
    first_failure: FirstFailure | None


@router.get("/audit/verify", response_model=Verification, responses=ERRORS)
def verify(
    caller: Auditor, svc: ServicesDep,
    case_id: Annotated[str | None, Query(description="only this case")] = None,
) -> Verification:  # fmt: skip
    case = parse_case_id(case_id) if case_id is not None else None
    report = svc.integrity.verify(case)
    svc.access_log.write(AccessEntry.of(
        caller, svc.app.clock(), case, "read", basis={"role": Role.AUDITOR.value},
        reason="verify",
    ))  # fmt: skip
    failure = report.first_failure
    return Verification(
        ok=failure is None,
        events_checked=report.events_checked,
        first_failure=FirstFailure(**vars(failure)) if failure else None,
    )
