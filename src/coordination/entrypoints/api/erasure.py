"""POST /v1/cases/{case_id}/erasure: a data-protection officer erases their controller's
part of a case (all of it, when their controller's agency opened it)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from coordination.adapters.store.erasure_requests import ErasureRequest as PendingErasure
from coordination.contract.events import Instant
from coordination.contract.examples import CASE_ID
from coordination.contract.requests import ErasureRequest
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.cases import parse_case_id
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses

router = APIRouter(prefix="/v1", tags=["data protection"])
DpoWriter = Annotated[Caller, Depends(require(Role.DPO, json=True))]
ERRORS = problem_responses(400, 401, 403, 404, 413, 422, 503)
# The case erased whole by the foreigners authority's controller: destroyed, or kept under
# a retention rule where the deployment names one.
DESTROYED: JsonDict = {
    "case_id": CASE_ID, "version": 5, "erased_at": "2026-09-10T12:00:00Z", "whole": True,
    "kept_under": None, "left_to": ["caritas-leipzig"],
}  # fmt: skip
KEPT: JsonDict = DESTROYED | {
    "kept_under": {"rule_id": "abh-auslaenderdatei-b", "norm": "§ 68 Abs. 2 Satz 2 AufenthV",
                   "until": "2036-09-10"},
}  # fmt: skip


class ErasureDone(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DESTROYED, KEPT]})

    case_id: UUID
    version: int
    erased_at: Instant
    whole: bool = Field(description="the part that opened the case: the whole case is erased")
    kept_under: dict[str, str] | None = Field(
        description="kept, restricted, under a retention rule: its rule_id, norm and the"
        " last day it is kept (until); null: destroyed"
    )
    left_to: list[str] = Field(
        description="of a whole erasure: the other controllers whose parts remain, for"
        " their own data-protection officers to erase"
    )


class ErasureRequested(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"request_id": "er-4c7d2e9a1b3f5d80", "case_id": CASE_ID, "status": "pending"}
            ]
        }
    )

    request_id: str
    case_id: str
    status: str = Field(description="pending: a second person of the controller decides")


@router.post("/cases/{case_id}/erasure", status_code=201, response_model=ErasureDone,
             responses=ERRORS | {200: {"model": ErasureDone},
                                 202: {"model": ErasureRequested}})  # fmt: skip
def erase_case(
    case_id: str, body: ErasureRequest, caller: DpoWriter, svc: ServicesDep
) -> JSONResponse:
    """201 on erasure; 200 when the case was erased before (nothing more changes); 202
    where the deployment asks for a second person's approval (ADR 0052): the request
    waits for it in the web app."""
    asked = body.model_dump()
    done = svc.erasure.ask(caller, parse_case_id(case_id), asked["reason"], asked["legal_basis"])
    if isinstance(done, PendingErasure):
        pending = ErasureRequested(request_id=done.request_id, case_id=done.case_id,
                                   status="pending")  # fmt: skip
        return JSONResponse(pending.model_dump(), 202)
    erased = ErasureDone.model_validate({
        "case_id": done.case_id, "version": done.version, "erased_at": done.erased_at,
        "whole": done.whole, "kept_under": done.kept_under, "left_to": done.left_to,
    })  # fmt: skip
    content = erased.model_dump(mode="json")
    headers = {"X-Event-Position": str(done.position), "ETag": f'"{done.version}"'}
    return JSONResponse(content, 201 if done.new else 200, headers)
