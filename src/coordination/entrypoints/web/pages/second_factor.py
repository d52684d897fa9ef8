"""The second step of signing in: a code of the account's second factor (TOTP), or
setting one up, where the role needs one or the person chooses to."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coordination.entrypoints.web.forms import N_, Problem
from coordination.entrypoints.web.pages.sign_in import home_of
from coordination.entrypoints.web.session import SignedIn, SigningIn, checked_form, services
from coordination.entrypoints.web.templating import render
from coordination.services.accounts import SECOND_FACTOR, CodeRefused, WebSession

router = APIRouter(include_in_schema=False)
WRONG = Problem("code", "code", N_("The code is not right. Please enter the current one."))


@router.get("/second-factor")
async def second_step(request: Request, session: SigningIn) -> Response:
    if session.pending is None:
        return RedirectResponse(home_of(session), 303)
    return await _page(request, session)


@router.post("/second-factor")
async def check(request: Request, session: SigningIn) -> Response:
    form = await checked_form(request, session)
    code = str(form.get("code") or "")[:20]
    accounts = services(request).accounts
    confirm = accounts.check_code if session.pending == SECOND_FACTOR else accounts.confirm_factor
    try:
        await run_in_threadpool(confirm, session, code)
    except CodeRefused:
        return await _page(request, session, [WRONG], 400)
    return RedirectResponse(home_of(session), 303)


@router.get("/account/second-factor")
async def set_up(request: Request, session: SignedIn) -> Response:
    """A person sets up a second factor of their own accord (or renews it)."""
    return await _page(request, session, enrolling=True)


@router.post("/account/second-factor")
async def confirm(request: Request, session: SignedIn) -> Response:
    form = await checked_form(request, session)
    code = str(form.get("code") or "")[:20]
    try:
        await run_in_threadpool(services(request).accounts.confirm_factor, session, code)
    except CodeRefused:
        return await _page(request, session, [WRONG], 400, enrolling=True)
    return RedirectResponse(home_of(session), 303)


async def _page(
    request: Request, session: WebSession, problems: list[Problem] | None = None,
    status: int = 200, enrolling: bool = False,
) -> HTMLResponse:  # fmt: skip
    enrol = enrolling or session.pending != SECOND_FACTOR
    setup = None
    if enrol:
        setup = await run_in_threadpool(services(request).accounts.factor_setup, session)
    found = problems or []
    return render(request, "second_factor.html", {
        "nav": "", "enrol": enrol, "secret": setup[0] if setup else "",
        "qr_code": setup[1] if setup else "", "problems": found,
        "errors": {p.field: p.message for p in found},
        "action": "/account/second-factor" if enrolling else "/second-factor",
    }, status)  # fmt: skip
