"""POST /v1/admin/imports: an admin imports existing cases (NDJSON, docs/import.md).

The whole body is checked before anything is written; a refusal lists the problems
by line. Each imported case is logged as imported by the admin, under the request's
id. The import itself runs in a worker thread: it is CPU-bound and long.
"""

import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
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
ABH = {"agency": "abh-leipzig", "token_label": "fachverfahren"}
ABH_MK = {"agency": "abh-mayen-koblenz", "token_label": "fachverfahren"}
# Two cases of a legacy system, one a line, as docs/import.md describes them.
LEGACY_CASES: list[dict[str, Any]] = [
    {"case_id": "3d5f8a21-7b4c-4e9a-b6d2-1c8e0f4a9b57", "events": [
        {"type": "CaseOpened", "recorded_at": "2024-03-01T08:30:00+01:00", "recorded_by": ABH,
         "data": {"municipality": "leipzig", "person": {
             "given_name": "Samir", "family_name": "Aziz", "date_of_birth": "1991-06-17",
             "nationality": "SY", "languages": ["ar", "de"]},
             "arrived_on": "2024-02-14", "residence_status": "aufenthaltserlaubnis"}},
        {"type": "ConsentGranted", "recorded_at": "2024-03-01T09:10:00+01:00", "recorded_by": ABH,
         "data": {"recipients": ["mbe-caritas-leipzig"], "purposes": ["counselling"],
                  "categories": ["identity", "contact"], "given_on": "2024-03-01",
                  "evidence": {"method": "written"}}},
        {"type": "ReferralSent", "recorded_at": "2024-03-01T09:15:00+01:00", "recorded_by": ABH,
         "data": {"to_agency": "mbe-caritas-leipzig", "purpose": "counselling",
                  "categories": ["identity", "contact"]}},
    ]},
    {"case_id": "9a2e6c14-5f3b-4d8e-a7c1-6b0d2e8f4c39", "events": [
        {"type": "CaseOpened", "recorded_at": "2025-01-15T10:00:00+01:00", "recorded_by": ABH_MK,
         "data": {"municipality": "mayen-koblenz", "person": {
             "given_name": "Olena", "family_name": "Kovalenko", "nationality": "UA",
             "languages": ["uk", "ru"]},
             "arrived_on": "2024-12-02", "residence_status": "aufenthaltserlaubnis"}},
        {"type": "ConsentGranted", "recorded_at": "2025-01-15T10:20:00+01:00",
         "recorded_by": ABH_MK,
         "data": {"recipients": ["mbe-diakonie-mayen-koblenz"],
                  "purposes": ["counselling", "language_course"],
                  "categories": ["identity", "contact", "language"], "given_on": "2025-01-15",
                  "valid_until": "2026-01-14",
                  "evidence": {"method": "written", "language": "uk"}}},
    ]},
]  # fmt: skip
BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {NDJSON: {"schema": {
    "type": "string", "description": "one case per line: {case_id, events: [...]}"},
    "example": "".join(json.dumps(case) + "\n" for case in LEGACY_CASES)}}}}  # fmt: skip


class ImportDone(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"cases": 2, "imported": 2, "skipped": 0, "events": 5}]}
    )

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
