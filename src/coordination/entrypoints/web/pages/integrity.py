"""The auditor's integrity checks in the web app: the hash chains of a case or of the
whole store verified, and the signed checkpoint and a case's offline audit bundle
downloaded, the same files the command line writes (ADR 0049)."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from coordination.application.errors import CaseNotFound
from coordination.entrypoints.web.forms import N_
from coordination.entrypoints.web.session import AuditorSession, caller_of, checked_form, services
from coordination.entrypoints.web.templating import render
from coordination.services.integrity import NotIntact, checkpoint_file

router = APIRouter(include_in_schema=False)


@router.post("/audit/verify")
async def verify(request: Request, session: AuditorSession) -> HTMLResponse:
    """The store's chains, or one case's when the form names it."""
    form = await checked_form(request, session)
    try:
        case_id = UUID(str(form.get("case_id"))) if form.get("case_id") else None
    except ValueError:
        return _not_found(request)
    report = await run_in_threadpool(
        services(request).integrity.verify_for, caller_of(request, session), case_id
    )
    return render(request, "audit_verified.html", {
        "nav": "audit-cases", "report": report, "case_id": case_id,
    })  # fmt: skip


@router.get("/audit/checkpoint")
async def checkpoint(request: Request, session: AuditorSession) -> Response:
    try:
        cp = await run_in_threadpool(
            services(request).integrity.checkpoint_for, caller_of(request, session)
        )
    except NotIntact as damaged:
        return _not_intact(request, damaged)
    return Response(checkpoint_file(cp), media_type="application/json",
                    headers=_download("checkpoint.json"))  # fmt: skip


@router.get("/audit/cases/{case_id}/bundle")
async def bundle(request: Request, case_id: str, session: AuditorSession) -> Response:
    try:
        wanted = UUID(case_id)
        body = await run_in_threadpool(
            services(request).integrity.bundle_for, caller_of(request, session), wanted
        )
    except (ValueError, CaseNotFound):
        return _not_found(request)
    except NotIntact as damaged:
        return _not_intact(request, damaged)
    return Response(body, media_type="application/json", headers=_download(f"bundle-{wanted}.json"))


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


def _not_intact(request: Request, damaged: NotIntact) -> HTMLResponse:
    return render(request, "refused.html", {
        "nav": "audit-cases", "heading": N_("The history is not intact"),
        "text": N_("The verification failed, so nothing is signed or handed out. "
                   "Verify the store to see where."),
    }, 409)  # fmt: skip


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "refused.html", {
        "nav": "audit-cases", "heading": N_("Case not found"),
        "text": N_("There is no such case in your municipality, or not at that time."),
    }, 404)  # fmt: skip
