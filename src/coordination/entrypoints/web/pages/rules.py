"""The statutory rule book in the web app: every rule with its norm and status, and the
book's history (who changed what, when and why), for every role; an admin adds and
retires rules here, through the same use case as `/v1/statutory-rules` (ADR 0038)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from coordination.application.errors import Contended
from coordination.contract.statutory import AddRule, RetireRule
from coordination.domain.errors import DomainError
from coordination.domain.identity import Role
from coordination.entrypoints.web.forms import (
    N_,
    Problem,
    form_fields,
    form_values,
    problems_of,
    read_form,
)
from coordination.entrypoints.web.session import (
    AdminSession,
    SignedIn,
    caller_of,
    checked_form,
    services,
)
from coordination.entrypoints.web.templating import render
from coordination.services.accounts import WebSession
from coordination.services.statutory import Editor

router = APIRouter(include_in_schema=False)
DONE = ("added", "retired")


@router.get("/rules")
async def rules(request: Request, session: SignedIn, done: str | None = None) -> HTMLResponse:
    return await _page(request, session, recorded=done if done in DONE else None)


@router.post("/rules")
async def add_rule(request: Request, session: AdminSession) -> Response:
    form = await checked_form(request, session)
    try:
        asked = AddRule.model_validate(read_form(form_fields(AddRule), form))
    except ValidationError as invalid:
        return await _page(request, session, problems_of(invalid), form_values(form), 400)
    editor = Editor.of(caller_of(request, session))
    try:
        await run_in_threadpool(
            services(request).statutory.add, editor, asked.rule(asked.rule_id), asked.reason
        )
    except (DomainError, Contended) as refused:
        problem = Problem(None, type(refused).__name__, str(refused))
        return await _page(request, session, [problem], form_values(form), 422)
    return RedirectResponse("/rules?done=added", 303)


@router.post("/rules/{rule_id}/retirement")
async def retire_rule(request: Request, rule_id: str, session: AdminSession) -> Response:
    form = await checked_form(request, session)
    try:
        asked = RetireRule.model_validate({"reason": str(form.get("reason") or "")})
        editor = Editor.of(caller_of(request, session))
        await run_in_threadpool(services(request).statutory.retire, editor, rule_id, asked.reason)
    except ValidationError:
        problem = Problem(None, "reason", N_("Give the reason for retiring the rule."))
        return await _page(request, session, [problem], {}, 400)
    except (DomainError, Contended) as refused:
        problem = Problem(None, type(refused).__name__, str(refused))
        return await _page(request, session, [problem], {}, 422)
    return RedirectResponse("/rules?done=retired", 303)


async def _page(
    request: Request, session: WebSession, problems: list[Problem] | None = None,
    values: dict[str, Any] | None = None, status: int = 200, recorded: str | None = None,
) -> HTMLResponse:  # fmt: skip
    svc = services(request)
    book = await run_in_threadpool(svc.statutory.rules)
    history = await run_in_threadpool(svc.statutory.history)
    found = problems or []
    return render(request, "rules.html", {
        "nav": "rules", "book": book, "history": list(reversed(history)),
        "admin": session.role is Role.ADMIN, "fields": form_fields(AddRule), "values": values or {},
        "problems": found, "errors": {p.field: p.message for p in found if p.field},
        "recorded": recorded, "agencies": [],
    }, status)  # fmt: skip
