"""Routes for cases and their events (contract: Cases and events)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header, Path, Query
from fastapi.responses import JSONResponse, Response

from consent import Purpose
from coordination.adapters.reports.agreement import render_agreement
from coordination.adapters.reports.labels import Language
from coordination.application.errors import CaseNotFound
from coordination.contract.events import event_out
from coordination.contract.requests import AS_WRITTEN_IN_YEARS, EventIn, OpenCase
from coordination.domain.identity import Caller, Role
from coordination.domain.rules import SLUG
from coordination.entrypoints.api.convert import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    as_aware,
    expected_version,
    header_schema,
    idempotency_request,
    recorded_headers,
)
from coordination.entrypoints.api.deps import CaseReader, Caseworker, ServicesDep, require
from coordination.entrypoints.api.responses import (
    ETAG,
    OPENED,
    WRITTEN,
    CaseCreated,
    CaseHistory,
    CaseState,
    EventRecorded,
    problem_responses,
    with_headers,
)
from coordination.services.agreement_paper import read_agreement

router = APIRouter(prefix="/v1", tags=["cases"])

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 503)
MAX_VERSION = 2**63 - 1  # the stores' integers; beyond them SQLite overflows (fuzzing)
MAX_HISTORY_PAGE = 1000
IfMatch = Annotated[str | None, Header(
    description='"N": refuse unless the case is at N',
    json_schema_extra=header_schema(pattern=IF_MATCH, examples=['"7"']))]  # fmt: skip
IdempotencyKey = Annotated[str | None, Header(
    description="retry-safe key, kept 24 h: 1 to 255 printable ASCII characters",
    json_schema_extra=header_schema(pattern=IDEMPOTENCY_KEY.pattern, maxLength=255,
                                    examples=["jc-fv-2026-09-0001"]))]  # fmt: skip


def parse_case_id(case_id: str) -> UUID:
    try:
        return UUID(case_id)
    except ValueError:
        raise CaseNotFound from None


@router.post("/cases", status_code=201, response_model=CaseCreated,
             responses=ERRORS | with_headers(201, OPENED))  # fmt: skip
def open_case(
    body: OpenCase, caller: Caseworker, svc: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:  # fmt: skip
    fields = body.model_dump()
    keyed = body.model_dump(mode="json")
    idem = idempotency_request(idempotency_key, caller.agency_id, "open", keyed)
    recorded = svc.cases.open_case(caller, fields, idem)
    headers = recorded_headers(recorded) | {"Location": f"/v1/cases/{recorded.case_id}"}
    content = {"case_id": str(recorded.case_id), "version": recorded.version,
               "possible_duplicate": recorded.possible_duplicate}  # fmt: skip
    return JSONResponse(content, 201, headers)


@router.post(
    "/cases/{case_id}/events",
    status_code=201,
    response_model=EventRecorded,
    responses=ERRORS | with_headers(201, WRITTEN),
)
async def record_event(
    case_id: str, body: Annotated[EventIn, Body()], caller: Caseworker, svc: ServicesDep,
    if_match: IfMatch = None, idempotency_key: IdempotencyKey = None,
) -> JSONResponse:  # fmt: skip
    uuid = parse_case_id(case_id)
    fields = body.model_dump()
    kind = fields.pop("type")
    idem = idempotency_request(
        idempotency_key, caller.agency_id, f"events:{uuid}", body.model_dump(mode="json")
    )
    # On the event loop: the service hands to a thread only what blocks (ADR 0028).
    recorded = await svc.cases.record_event_async(
        caller, uuid, kind, fields, expected_version(if_match), idem
    )
    content = {"case_id": str(recorded.case_id), "version": recorded.version,
               "event": event_out(recorded.event)}  # fmt: skip
    return JSONResponse(content, 201, recorded_headers(recorded))


# A read bound to a purpose sees only what rules and consents for it allow, and the
# access log keeps the purpose (ADR 0041).
ReadPurpose = Annotated[
    Purpose | None,
    Query(description="read under the rules and consents for this purpose only; logged"),
]


@router.get("/cases/{case_id}", response_model=CaseState,
            responses=ERRORS | with_headers(200, ETAG))  # fmt: skip
def get_case(
    case_id: str, caller: CaseReader, svc: ServicesDep,
    as_of: Annotated[datetime | None, Query(
        description="auditors: state at this time", json_schema_extra=AS_WRITTEN_IN_YEARS)] = None,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION,
                                         description="auditors: at this version")] = None,
    purpose: ReadPurpose = None,
) -> JSONResponse:  # fmt: skip
    uuid = parse_case_id(case_id)
    case, view = svc.cases.read_case(caller, uuid, version, as_aware(as_of), purpose)
    state = CaseState.model_validate(
        {"case_id": case.id, "version": case.version, **(view.data or {}),
         "withheld": sorted(view.withheld)}
    )  # fmt: skip
    content = state.model_dump(mode="json", exclude_unset=True)
    return JSONResponse(content, headers={"ETag": f'"{case.version}"'})


@router.get("/cases/{case_id}/history", response_model=CaseHistory, responses=ERRORS)
def get_history(
    case_id: str, caller: CaseReader, svc: ServicesDep,
    as_of: Annotated[datetime | None, Query(
        description="cut the history at this time", json_schema_extra=AS_WRITTEN_IN_YEARS)] = None,
    purpose: ReadPurpose = None,
    after_version: Annotated[int, Query(ge=0, le=MAX_VERSION - MAX_HISTORY_PAGE,
                                        description="the events after this version")] = 0,
    limit: Annotated[int | None, Query(ge=1, le=MAX_HISTORY_PAGE, description=(
        "at most this many versions; the answer's `next_after_version` continues"))] = None,
) -> JSONResponse:  # fmt: skip
    uuid = parse_case_id(case_id)
    at = as_aware(as_of)
    if limit is None:
        seen, following = svc.cases.read_history(caller, uuid, at, purpose, after_version), None
    else:
        page = svc.cases.read_history_page(caller, uuid, after_version, limit, at, purpose)
        seen, following = page.events, page.next_after
    events = [event_out(s.event, s.view) for s in seen]
    return JSONResponse({"case_id": str(uuid), "events": events,
                         "next_after_version": following})  # fmt: skip


# The integration agreement printed for the person and the agencies to sign: a read of
# the case like any other, for the caseworkers who counsel the person.
PDF = "application/pdf"
Printer = Annotated[Caller, Depends(require(Role.CASEWORKER))]
AgreementId = Annotated[str, Path(pattern=rf"^{SLUG.pattern}$")]
PaperLanguage = Annotated[Language | None, Query(
    description="the language beside German (German alone: de); by default the first of "
    "the person's languages the papers print in, else the one they signed it in")]  # fmt: skip


@router.get(
    "/cases/{case_id}/agreements/{agreement_id}/paper",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
                               "description": "the agreement as a PDF"}},
)  # fmt: skip
def get_agreement_paper(
    case_id: str, agreement_id: AgreementId, caller: Printer, svc: ServicesDep,
    lang: PaperLanguage = None,
) -> Response:  # fmt: skip
    """The integration agreement as it stands, to sign: German first, then the person's
    language; what the person commits to and what each agency offers, cancelled steps left
    out. The reader must be allowed to read the case's integration plan (403
    consent-required where it is withheld); the reads are logged as any case read. No
    health-related needs are printed."""
    uuid = parse_case_id(case_id)
    printed = read_agreement(svc.cases, svc.agencies.contacts, caller, uuid, agreement_id)
    languages = printed.languages(lang)
    filename = f"integration-agreement-{uuid}-{agreement_id}-{languages[-1].value}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(render_agreement(printed.paper, languages), media_type=PDF, headers=headers)
