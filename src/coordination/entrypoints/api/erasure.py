"""POST /v1/cases/{case_id}/erasure: a data-protection officer erases a case."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.cases import parse_case_id
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses

router = APIRouter(prefix="/v1", tags=["data protection"])
DpoWriter = Annotated[Caller, Depends(require(Role.DPO, json=True))]
ERRORS = problem_responses(400, 401, 403, 404, 413, 422, 503)

NO_NUL = r"^[^\x00]*$"


class ErasureRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [
            {"reason": "the person asked for erasure", "legal_basis": "Art. 17 GDPR"}]},
    )  # fmt: skip
    # Stays readable after erasure: write no personal data here. No NUL: the legal
    # basis goes to the access log, a text column PostgreSQL refuses NUL in.
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]
    legal_basis: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]


class ErasureDone(BaseModel):
    case_id: str
    version: int
    erased_at: str


@router.post("/cases/{case_id}/erasure", status_code=201, response_model=ErasureDone,
             responses=ERRORS | {200: {"model": ErasureDone}})  # fmt: skip
def erase(case_id: str, body: ErasureRequest, caller: DpoWriter, svc: ServicesDep) -> JSONResponse:
    """201 on erasure; 200 when the case was erased before (nothing more changes)."""
    done = svc.erasure.erase(caller, parse_case_id(case_id), body.reason, body.legal_basis)
    content = {"case_id": str(done.case_id), "version": done.version, "erased_at": done.erased_at}
    headers = {"X-Event-Position": str(done.position), "ETag": f'"{done.version}"'}
    return JSONResponse(content, 201 if done.new else 200, headers)
