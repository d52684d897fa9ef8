"""POST /v1/admin/imports: an admin imports existing cases (NDJSON, docs/import.md).

The whole body is checked before anything is written; a refusal lists the problems
by line. Each imported case is logged as imported by the admin, under the request's
id. The import itself runs in a worker thread: it is CPU-bound and long.
"""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.problems import problem
from coordination.entrypoints.api.responses import problem_responses
from coordination.services.importing import ImportedBy, ImportRefused

router = APIRouter(prefix="/v1/admin", tags=["administration"])

NDJSON = "application/x-ndjson"
ERRORS = problem_responses(400, 401, 403, 409, 413, 422, 503)
TITLES = {"bad-request": "Bad request", "validation-error": "Validation error",
          "invalid-event": "The event breaks a rule of the case"}  # fmt: skip
BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {NDJSON: {"schema": {
    "type": "string", "description": "one case per line: {case_id, events: [...]}"}}}}}  # fmt: skip


class ImportDone(BaseModel):
    cases: int
    imported: int
    skipped: int
    events: int


async def ndjson_admin(
    caller: Annotated[Caller, Depends(require(Role.ADMIN))], request: Request
) -> Caller:
    """Checked after authentication, like every body's type, so strangers learn nothing."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != NDJSON:
        raise HTTPException(400, f"the body must be {NDJSON}")
    return caller


Importer = Annotated[Caller, Depends(ndjson_admin)]


@router.post("/imports", response_model=ImportDone, responses=ERRORS, openapi_extra=BODY)
async def import_cases(request: Request, caller: Importer, svc: ServicesDep) -> JSONResponse:
    """200 with counts; a case stored before (a re-run) is skipped, never doubled."""
    body = await request.body()
    service = svc.importing
    by = ImportedBy(caller.agency_id, caller.principal.token_label,
                    caller.principal.role.value, caller.request_id)  # fmt: skip
    try:
        # Split like a file is read, so line numbers match `coordination import`.
        done = await run_in_threadpool(service.run, lambda: body.split(b"\n"), by)
    except ImportRefused as refused:
        errors = [p.as_json() for p in refused.problems]
        return problem(refused.status, refused.code, TITLES[refused.code], str(refused),
                       errors=errors, error_count=refused.count)  # fmt: skip
    return JSONResponse(asdict(done))
