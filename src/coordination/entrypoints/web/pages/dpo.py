"""The data-protection officer's workspace: the overview of the controller's processing
with its alerts, a case's consent trail, the disclosure report (Art. 15 GDPR) and the
consent receipts. Every page reads through the oversight service the HTTP API uses:
the DPO sees the controller's part of a case and no payload, and every read is logged."""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from consent.record import LOCAL_TIME
from coordination.adapters.reports.labels import Language, paper_language
from coordination.adapters.reports.pdf import render_report
from coordination.application.errors import CaseNotFound
from coordination.domain.disclosure import DisclosureReport
from coordination.domain.errors import DomainError
from coordination.domain.identity import Caller
from coordination.entrypoints.web.forms import N_, Problem
from coordination.entrypoints.web.session import DpoSession, caller_of, services
from coordination.entrypoints.web.templating import render
from coordination.services.accounts import WebSession
from coordination.services.oversight.receipts import dpv_receipt, fhir_consent

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
PERIOD = timedelta(days=29)  # the overview's 30 days, today included
RECEIPTS = {"dpv": ("application/ld+json", dpv_receipt), "fhir": ("application/fhir+json",
                                                                  fhir_consent)}  # fmt: skip


@router.get("/dpo")
async def overview(request: Request, session: DpoSession) -> HTMLResponse:
    return await _overview(request, session)


async def _overview(
    request: Request, session: WebSession, problems: list[Problem] | None = None
) -> HTMLResponse:
    svc, caller = services(request), caller_of(request, session)
    until = svc.app.clock().astimezone(LOCAL_TIME).date()
    found = await run_in_threadpool(svc.oversight.overview, caller, until - PERIOD, until)
    waiting = (await run_in_threadpool(svc.erasure.waiting, caller)
               if svc.erasure.needs_approval else None)  # fmt: skip
    duplicates = await run_in_threadpool(svc.duplicates.notices, caller)
    return render(request, "dpo_overview.html", {
        "nav": "dpo", "overview": found, "agencies": _agency_names(request), "waiting": waiting,
        "duplicates": duplicates,
        "problems": problems or [], "errors": {p.field: p.message for p in problems or []},
    }, 400 if problems else 200)  # fmt: skip


@router.get("/dpo/case")
async def find_case(request: Request, session: DpoSession, case_id: str = "") -> Response:
    """The case number typed in: to its trail, or the overview with the mistake."""
    try:
        return RedirectResponse(f"/dpo/cases/{UUID(case_id.strip())}", 303)
    except ValueError:
        wrong = Problem("case_id", "case_id", N_("Enter a case number as it is shown, e.g. 3f2b…"))
        return await _overview(request, session, [wrong])


@router.get("/dpo/cases/{case_id}")
async def trail(request: Request, case_id: str, session: DpoSession) -> HTMLResponse:
    document = await _read(request, session, case_id, services(request).oversight.consent_trail)
    if document is None:
        return _not_found(request)
    return render(request, "dpo_trail.html", {
        "nav": "dpo", "trail": document, "agencies": _agency_names(request),
    })  # fmt: skip


@router.get("/dpo/cases/{case_id}/report")
async def report(request: Request, case_id: str, session: DpoSession) -> HTMLResponse:
    found = await _read(request, session, case_id, _report(request))
    if found is None:
        return _not_found(request)
    return render(request, "dpo_report.html", {
        "nav": "dpo", "report": found, "report_languages": list(Language),
        "agencies": _agency_names(request),
    })  # fmt: skip


@router.get("/dpo/cases/{case_id}/report.pdf")
async def report_pdf(
    request: Request, case_id: str, session: DpoSession, lang: Language | None = None
) -> Response:
    """German, and beside it the language asked for; else the person's, where the copy
    may carry it (a DPO's never does: it is German alone)."""
    paper = await _read(request, session, case_id, services(request).oversight.disclosure_paper)
    if paper is None:
        return _not_found(request)
    language = lang or paper_language(paper.person_languages)
    pdf = await run_in_threadpool(render_report, paper.report, language, paper.agencies)
    name = f"disclosure-report-{paper.report.case_id}-{language.value}.pdf"
    return Response(pdf, media_type="application/pdf", headers=_download(name))


async def _read(
    request: Request, session: WebSession, case_id: str, read: Callable[[Caller, UUID], T]
) -> T | None:
    """What the oversight service's read answers for the case, or None: no such case,
    or none the DPO's controller has a part in (both logged by the service)."""
    try:
        return await run_in_threadpool(read, caller_of(request, session), UUID(case_id))
    except (ValueError, CaseNotFound, DomainError):
        return None


@router.get("/dpo/cases/{case_id}/consents/{consent_id}/receipt")
async def receipt(
    request: Request, case_id: str, consent_id: str, session: DpoSession,
    shape: Annotated[Literal["dpv", "fhir"], Query(alias="format")] = "dpv",
) -> Response:  # fmt: skip
    svc, caller = services(request), caller_of(request, session)
    try:
        source = await run_in_threadpool(
            svc.oversight.consent_receipt, caller, UUID(case_id), consent_id
        )
    except (ValueError, CaseNotFound, DomainError):
        source = None
    if source is None:
        return _not_found(request)
    media_type, made = RECEIPTS[shape]
    body = json.dumps(made(source), ensure_ascii=False, indent=2)
    name = f"consent-receipt-{consent_id}-{shape}.json"
    return Response(body, media_type=media_type, headers=_download(name))


def _report(request: Request) -> Callable[[Caller, UUID], DisclosureReport]:
    return services(request).oversight.disclosure_report


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


def _agency_names(request: Request) -> dict[str, str]:
    return {a.agency_id: a.name for a in services(request).directory.list_agencies()}


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "refused.html", {
        "nav": "dpo", "heading": N_("Case not found"),
        "text": N_("There is no such case, or your controller has no part in it."),
    }, 404)  # fmt: skip
