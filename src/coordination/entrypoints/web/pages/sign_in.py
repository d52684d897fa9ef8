"""Sign-in, sign-out, setting a password through a one-time link, and the language."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coordination.domain.accounts import AccountError, check_password
from coordination.domain.identity import Role
from coordination.entrypoints.web import i18n
from coordination.entrypoints.web.forms import N_, Problem
from coordination.entrypoints.web.session import (
    SIGN_IN_COOKIE,
    SignedIn,
    check_sign_in_token,
    checked_form,
    clear_session_cookie,
    current,
    services,
    set_session_cookie,
    sign_in_token,
)
from coordination.entrypoints.web.templating import render
from coordination.services.accounts import (
    LinkNotValid,
    RoleNotHeld,
    SignInRefused,
    WebSession,
)

router = APIRouter(include_in_schema=False)
MaybeSignedIn = Annotated[WebSession | None, Depends(current)]
HOME = {
    Role.CASEWORKER: "/worklist", Role.AUDITOR: "/audit/cases", Role.DPO: "/dpo",
    Role.ADMIN: "/rules",
}  # fmt: skip


def home_of(session: WebSession) -> str:
    return HOME.get(session.role, "/start")


@router.get("/")
def start(request: Request, session: MaybeSignedIn) -> Response:
    if session is not None:
        return RedirectResponse(home_of(session), 303)
    return sign_in_page(request)


def sign_in_page(
    request: Request, failed: bool = False, email: str = "", notice: str | None = None,
    provider_failed: bool = False,
) -> HTMLResponse:  # fmt: skip
    token = sign_in_token(request)
    provider = services(request).identity_provider
    response = render(request, "sign_in.html", {
        "sign_in_token": token, "failed": failed, "email": email, "notice": notice,
        "provider": provider.name if provider else None, "provider_failed": provider_failed,
    }, 400 if failed or provider_failed else 200)  # fmt: skip
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    check_sign_in_token(request, form)
    email, password = str(form.get("email") or ""), str(form.get("password") or "")
    address = request.client.host if request.client else ""
    try:
        session = await run_in_threadpool(
            services(request).accounts.sign_in, email, password, address
        )
    except (SignInRefused, AccountError):
        return sign_in_page(request, failed=True, email=email[:254])
    response = RedirectResponse(home_of(session), 303)
    set_session_cookie(request, response, session.token)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: SignedIn) -> Response:
    await checked_form(request, session)
    await run_in_threadpool(services(request).accounts.sign_out, session.token)
    response = RedirectResponse("/", 303)
    clear_session_cookie(request, response)
    return response


@router.post("/role")
async def act_as(request: Request, session: SignedIn) -> Response:
    """Switches the workspace to another role the account holds."""
    form = await checked_form(request, session)
    try:
        role = Role(str(form.get("role") or ""))
        await run_in_threadpool(services(request).accounts.act_as, session, role)
    except (ValueError, RoleNotHeld):
        return RedirectResponse(home_of(session), 303)
    return RedirectResponse(HOME.get(role, "/start"), 303)


@router.get("/start")
def start_page(request: Request, session: SignedIn) -> Response:
    return render(request, "start.html", {"nav": "start"})


@router.get("/password/{link}")
def password_page(request: Request, link: str) -> Response:
    valid = services(request).accounts.link_valid(link)
    return _password_page(request, valid)


@router.post("/password/{link}")
async def set_password(request: Request, link: str) -> Response:
    form = await request.form()
    check_sign_in_token(request, form)
    password, repeated = str(form.get("password") or ""), str(form.get("repeated") or "")
    problem = _password_problem(password, repeated)
    if problem is not None:
        return _password_page(request, True, [problem], 400)
    try:
        await run_in_threadpool(services(request).accounts.set_password, link, password)
    except LinkNotValid:
        return _password_page(request, False, status=400)
    return sign_in_page(request, notice=N_("Your password is set. You can sign in now."))


def _password_problem(password: str, repeated: str) -> Problem | None:
    try:
        check_password(password)
    except AccountError:
        return Problem("password", "password", N_("At least 12 characters, please."))
    if password != repeated:
        return Problem("repeated", "repeated", N_("The two passwords differ."))
    return None


def _password_page(
    request: Request, valid: bool, problems: list[Problem] | None = None, status: int = 200
) -> HTMLResponse:
    token = sign_in_token(request)
    found = problems or []
    response = render(request, "password.html", {
        "valid": valid, "sign_in_token": token, "problems": found,
        "errors": {p.field: p.message for p in found},
    }, status)  # fmt: skip
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


@router.get("/language/{language}")
def choose_language(language: str, next: str = "/") -> Response:
    # Only a path of this site: never an address elsewhere (no open redirect).
    local = next.startswith("/") and not next.startswith(("//", "/\\"))
    target = next if local else "/"
    response = RedirectResponse(target, 303)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE, i18n.chosen(language), samesite="lax", path="/",
        max_age=365 * 24 * 3600,
    )  # fmt: skip
    return response
