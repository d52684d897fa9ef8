"""Erasure in the DPO's workspace: the reason and legal basis asked for, a confirmation
that names what will be destroyed or kept, then the erasure through the same use case
as `POST /v1/cases/{id}/erasure`, and its result with the trail entry it made."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from coordination.adapters.store.erasure_requests import ErasureRequest as Waiting
from coordination.application.errors import CaseNotFound
from coordination.contract.requests import ErasureRequest
from coordination.domain.errors import DomainError
from coordination.entrypoints.web.forms import N_, form_fields, form_values, problems_of, read_form
from coordination.entrypoints.web.session import DpoSession, caller_of, checked_form, services
from coordination.entrypoints.web.templating import render
from coordination.services.accounts import WebSession
from coordination.services.erasure import ErasurePlan, RequestDecided, SecondPersonRequired

router = APIRouter(include_in_schema=False)
CONFIRMED = "confirmed"


@router.get("/dpo/cases/{case_id}/erasure")
async def ask(request: Request, case_id: str, session: DpoSession) -> HTMLResponse:
    plan = await _plan(request, session, case_id)
    if plan is None:
        return _not_found(request)
    return _page(request, plan, {}, [])


@router.post("/dpo/cases/{case_id}/erasure")
async def erase(request: Request, case_id: str, session: DpoSession) -> HTMLResponse:
    """Without `confirmed`: the confirmation of what the form asks; with it: the erasure."""
    form = await checked_form(request, session)
    plan = await _plan(request, session, case_id)
    if plan is None:
        return _not_found(request)
    try:
        asked = ErasureRequest.model_validate(read_form(form_fields(ErasureRequest), form))
    except ValidationError as invalid:
        return _page(request, plan, form_values(form), problems_of(invalid), 400)
    if form.get(CONFIRMED) != "yes":
        return render(request, "dpo_erasure_confirm.html", {
            "nav": "dpo", "plan": plan, "asked": asked.model_dump(), **_names(request, plan),
        })  # fmt: skip
    body = asked.model_dump()
    done = await run_in_threadpool(
        services(request).erasure.ask, caller_of(request, session), plan.case_id,
        body["reason"], body["legal_basis"],
    )  # fmt: skip
    if isinstance(done, Waiting):  # a second person decides (four eyes)
        return render(request, "dpo_erasure_requested.html", {
            "nav": "dpo", "asked": done, "plan": plan, **_names(request, plan),
        })  # fmt: skip
    return render(request, "dpo_erased.html", {
        "nav": "dpo", "done": done, "plan": plan, **_names(request, plan),
    })  # fmt: skip


@router.get("/dpo/erasure-requests/{request_id}")
async def waiting(request: Request, request_id: str, session: DpoSession) -> HTMLResponse:
    """An erasure another DPO of the controller asked for, to approve or reject."""
    svc, caller = services(request), caller_of(request, session)
    try:
        asked = await run_in_threadpool(svc.erasure.request, caller, request_id)
        plan = await run_in_threadpool(svc.erasure.plan, caller, UUID(asked.case_id))
    except (CaseNotFound, DomainError):
        return _not_found(request)
    return render(request, "dpo_erasure_decide.html", {
        "nav": "dpo", "asked": asked, "plan": plan,
        "own": asked.requested_by == session.user.user_id,
        "requester": svc.accounts.names([asked.requested_by]).get(
            asked.requested_by, asked.requested_by),
        **_names(request, plan),
    })  # fmt: skip


@router.post("/dpo/erasure-requests/{request_id}/{decision}")
async def decide(
    request: Request, request_id: str, decision: str, session: DpoSession
) -> HTMLResponse:
    await checked_form(request, session)
    svc, caller = services(request), caller_of(request, session)
    if decision not in ("approval", "rejection"):
        return _not_found(request)
    try:
        asked = await run_in_threadpool(svc.erasure.request, caller, request_id)
        plan = await run_in_threadpool(svc.erasure.plan, caller, UUID(asked.case_id))
        if decision == "rejection":
            rejected = await run_in_threadpool(svc.erasure.reject, caller, request_id)
            return render(request, "dpo_erasure_requested.html", {
                "nav": "dpo", "asked": rejected, "plan": plan, **_names(request, plan),
            })  # fmt: skip
        done = await run_in_threadpool(svc.erasure.approve, caller, request_id)
    except (SecondPersonRequired, RequestDecided) as refused:
        why = (N_("You asked for this erasure: a second person of your controller decides.")
               if isinstance(refused, SecondPersonRequired)
               else N_("This request was decided already."))  # fmt: skip
        return render(request, "refused.html", {
            "nav": "dpo", "heading": N_("Not decided"), "text": why,
        }, 409)  # fmt: skip
    except (CaseNotFound, DomainError):
        return _not_found(request)
    return render(request, "dpo_erased.html", {
        "nav": "dpo", "done": done, "plan": plan, **_names(request, plan),
    })  # fmt: skip


async def _plan(request: Request, session: WebSession, case_id: str) -> ErasurePlan | None:
    try:
        return await run_in_threadpool(
            services(request).erasure.plan, caller_of(request, session), UUID(case_id)
        )
    except (ValueError, CaseNotFound, DomainError):
        return None


def _page(
    request: Request, plan: ErasurePlan, values: dict[str, Any], problems: list[Any],
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    return render(request, "dpo_erasure.html", {
        "nav": "dpo", "plan": plan, "fields": form_fields(ErasureRequest), "values": values,
        "problems": problems, "errors": {p.field: p.message for p in problems},
        **_names(request, plan),
    }, status)  # fmt: skip


def _names(request: Request, plan: ErasurePlan) -> dict[str, Any]:
    names = {a.agency_id: a.name for a in services(request).directory.list_agencies()}
    return {"agencies": [], "part_agencies": [names.get(a, a) for a in plan.agencies]}


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "refused.html", {
        "nav": "dpo", "heading": N_("Case not found"),
        "text": N_("There is no such case, or your controller has no part in it."),
    }, 404)  # fmt: skip
