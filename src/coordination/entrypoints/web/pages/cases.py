"""The case page, opening a case, and recording any event this agency may record.

Forms post to the same use cases as the HTTP API: the same consent gate, access log,
idempotency (each form carries a key, so a double click records once) and version
check (each form carries the version it was shown at).
"""

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from consent.basis import Basis
from coordination.adapters.reports.agreement import render_agreement
from coordination.adapters.store.idempotency import (
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    IdempotencyRequest,
)
from coordination.application.errors import CaseNotFound, VersionMismatch
from coordination.contract.requests import EVENT_BODIES, OpenCase
from coordination.domain.errors import DomainError
from coordination.entrypoints.web.case_page import (
    EMERGENCY,
    CasePage,
    grouped,
    may_request_emergency,
    offered_types,
    users_of,
)
from coordination.entrypoints.web.consent_paper import consent_paper
from coordination.entrypoints.web.forms import (
    N_,
    Problem,
    form_fields,
    form_values,
    problems_of,
    read_form,
)
from coordination.entrypoints.web.session import (
    CaseworkerSession,
    caller_of,
    checked_form,
    services,
)
from coordination.entrypoints.web.templating import render
from coordination.services.accounts import WebSession
from coordination.services.agreement_paper import agreement_paper

router = APIRouter(include_in_schema=False)
IDEMPOTENCY_FIELD, VERSION_FIELD = "idempotency_key", "version"
# The refusals a person can act on, shown above the form that caused them.
REFUSALS = (DomainError, IdempotencyKeyReused, IdempotencyKeyInFlight)
CONSENT = "ConsentGranted"  # its form also prints the declaration to sign


@router.get("/cases/new")
def new_case(request: Request, session: CaseworkerSession) -> HTMLResponse:
    values = {"municipality": session.agency.municipality}
    return _new_case_page(request, values, [])


@router.post("/cases")
async def open_case(request: Request, session: CaseworkerSession) -> Response:
    form = await checked_form(request, session)
    body = read_form(form_fields(OpenCase), form)
    try:
        opened = OpenCase.model_validate(body)
    except ValidationError as invalid:
        return _new_case_page(request, form_values(form), problems_of(invalid), 400)
    idem = _idempotency(session, form, "open", opened)
    caller = caller_of(request, session)
    try:
        recorded = await run_in_threadpool(
            services(request).cases.open_case, caller, opened.model_dump(), idem
        )
    except REFUSALS as refused:
        return _new_case_page(request, form_values(form), [_refusal(refused)], 422)
    return RedirectResponse(f"/cases/{recorded.case_id}?recorded=CaseOpened", 303)


def _new_case_page(
    request: Request, values: dict[str, Any], problems: list[Problem], status: int = 200
) -> HTMLResponse:
    return render(request, "case_new.html", {
        "nav": "new", "fields": form_fields(OpenCase), "values": values,
        "problems": problems, "errors": _errors(problems), "agencies": [],
        "idempotency_key": values.get(IDEMPOTENCY_FIELD) or uuid4().hex,
    }, status)  # fmt: skip


@router.get("/cases/{case_id}")
async def case_page(
    request: Request, case_id: str, session: CaseworkerSession, recorded: str | None = None
) -> HTMLResponse:
    page = await _load(request, session, case_id)
    if page is None:
        return _not_found(request)
    done = recorded if recorded in EVENT_BODIES or recorded == "CaseOpened" else None
    return _case_page(request, page, recorded=done)


@router.post("/cases/{case_id}/events/{kind}")
async def record(request: Request, case_id: str, kind: str, session: CaseworkerSession) -> Response:
    form = await checked_form(request, session)
    model = EVENT_BODIES.get(kind)
    uuid = _uuid(case_id)
    if model is None or uuid is None:
        return _not_found(request)
    body = read_form(form_fields(model), form) | {"type": kind}
    try:
        event = model.model_validate(body)
    except ValidationError as invalid:
        return await _failed(request, session, case_id, kind, form, problems_of(invalid), 400)
    fields = event.model_dump()
    fields.pop("type")
    idem = _idempotency(session, form, f"events:{uuid}", event)
    version = _int(form.get(VERSION_FIELD))
    try:
        await services(request).cases.record_event_async(
            caller_of(request, session), uuid, kind, fields, version, idem
        )
    except VersionMismatch:
        changed = Problem(
            None,
            "version",
            N_(
                "The case changed meanwhile. Here is its"
                " current state; please check and send again."
            ),
        )
        return await _failed(request, session, case_id, kind, form, [changed], 409, fresh=True)
    except CaseNotFound:
        return _not_found(request)
    except REFUSALS as refused:
        return await _failed(request, session, case_id, kind, form, [_refusal(refused)], 422)
    if form.get("return_to") == "inbox":  # answered in the inbox: back there
        return RedirectResponse(f"/inbox?answered={kind}", 303)
    return RedirectResponse(f"/cases/{uuid}?recorded={kind}#timeline", 303)


async def _failed(
    request: Request, session: WebSession, case_id: str, kind: str, form: FormData,
    problems: list[Problem], status: int, fresh: bool = False,
) -> HTMLResponse:  # fmt: skip
    page = await _load(request, session, case_id)
    if page is None:
        return _not_found(request)
    values = {k: v for k, v in form_values(form).items() if not (fresh and k == VERSION_FIELD)}
    return _case_page(request, page, failed=kind, values=values, problems=problems,
                      status=status)  # fmt: skip


async def _load(request: Request, session: WebSession, case_id: str) -> CasePage | None:
    uuid = _uuid(case_id)
    if uuid is None:
        return None
    svc, caller = services(request), caller_of(request, session)

    def read() -> CasePage:
        case, view = svc.cases.read_case(caller, uuid)
        history = svc.cases.read_history(caller, uuid)
        agencies = svc.directory.list_agencies()
        names = svc.accounts.names(users_of(history))
        duplicates = svc.duplicates.on_case(caller, uuid)
        agency = session.agency.agency_id
        return CasePage(case, view, history, agency, agencies, names, duplicates)

    try:
        return await run_in_threadpool(read)
    except (CaseNotFound, DomainError):
        return None


def _case_page(
    request: Request, page: CasePage, *, recorded: str | None = None, failed: str | None = None,
    values: dict[str, Any] | None = None, problems: list[Problem] | None = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    kinds = offered_types(page)
    forms = {heading: {kind: form_fields(EVENT_BODIES[kind], form=kind) for kind in group}
             for heading, group in grouped(kinds).items()}  # fmt: skip
    found = problems or []
    emergency = may_request_emergency(page)
    return render(request, "case.html", {
        "emergency_fields": form_fields(EVENT_BODIES[EMERGENCY], form="emergency")
        if emergency else [],
        "emergency_hours": services(request).settings.emergency_access_hours,
        "nav": "", "page": page, "forms": forms, "offered": kinds, "recorded": recorded,
        "failed": failed,
        "values": values or {}, "problems": found, "errors": _errors(found),
        "agencies": page.agencies, "key": uuid4().hex, "basis": Basis.parse,
        "here": f"/cases/{page.case.id}",
    }, status)  # fmt: skip


@router.post("/cases/{case_id}/consent-paper")
async def print_consent(request: Request, case_id: str, session: CaseworkerSession) -> Response:
    """The consent form's entries as a declaration to sign (PDF); nothing is recorded."""
    form = await checked_form(request, session)
    kind = CONSENT
    body = read_form(form_fields(EVENT_BODIES[kind]), form) | {"type": kind}
    try:
        consent = EVENT_BODIES[kind].model_validate(body).model_dump()
    except ValidationError as invalid:
        return await _failed(request, session, case_id, kind, form, problems_of(invalid), 400)
    page = await _load(request, session, case_id)
    if page is None:
        return _not_found(request)
    svc = services(request)
    pdf = await run_in_threadpool(consent_paper, page, consent, svc.app.clock(),
                                  svc.agencies.contacts)  # fmt: skip
    name = f"einwilligung-{page.case.id}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
    })  # fmt: skip


@router.get("/cases/{case_id}/agreements/{agreement_id}/paper")
async def print_agreement(
    request: Request, case_id: str, agreement_id: str, session: CaseworkerSession
) -> Response:
    """The integration agreement as it stands, to sign (PDF): in German and the person's
    language, chosen as for the consent declaration; a read of the case like its page."""
    page = await _load(request, session, case_id)
    if page is None:
        return _not_found(request)
    svc = services(request)

    def printed() -> bytes | None:
        found = agreement_paper(page.case, page.view, page.history, agreement_id,
                                svc.agencies.contacts, svc.app.clock())  # fmt: skip
        return render_agreement(found.paper, found.languages()) if found else None

    pdf = await run_in_threadpool(printed)
    if pdf is None:
        return _not_found(request)
    name = f"integrationsvereinbarung-{page.case.id}-{agreement_id}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
    })  # fmt: skip


@router.get("/cases/{case_id}/emergency")
async def emergency_page(request: Request, case_id: str, session: CaseworkerSession) -> Response:
    """The emergency access's request as a page of its own: where the dialog cannot open
    (no script), its button leads here."""
    page = await _load(request, session, case_id)
    if page is None:
        return _not_found(request)
    if not may_request_emergency(page):
        return RedirectResponse(f"/cases/{page.case.id}", 303)
    return render(request, "emergency.html", {
        "nav": "", "page": page, "key": uuid4().hex, "here": f"/cases/{page.case.id}",
        "fields": form_fields(EVENT_BODIES[EMERGENCY], form="emergency"),
        "emergency_hours": services(request).settings.emergency_access_hours,
        "agencies": page.agencies,
    })  # fmt: skip


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "refused.html", {
        "nav": "", "heading": N_("Case not found"),
        "text": N_("There is no such case, or your agency may not see it."),
    }, 404)  # fmt: skip


def _idempotency(
    session: WebSession, form: FormData, route: str, body: BaseModel
) -> IdempotencyRequest | None:
    key = str(form.get(IDEMPOTENCY_FIELD) or "")
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        return None
    agency = session.agency.agency_id
    return IdempotencyRequest.of(agency, key, route, body.model_dump(mode="json"))


def _refusal(refused: Exception) -> Problem:
    return Problem(None, type(refused).__name__, str(refused))


def _errors(problems: list[Problem]) -> dict[str, str]:
    return {p.field: p.message for p in problems if p.field}


def _uuid(case_id: str) -> UUID | None:
    try:
        return UUID(case_id)
    except ValueError:
        return None


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
