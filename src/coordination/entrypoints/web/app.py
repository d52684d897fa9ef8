"""install(app): the web app's pages, static files and refusals, in the API's process."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from coordination.adapters.identity_provider import FLOW_COOKIE, FLOW_SECONDS
from coordination.bootstrap import sign_in_flow_secret
from coordination.entrypoints.web.forms import N_
from coordination.entrypoints.web.pages import (
    access_log,
    audit,
    cases,
    dpo,
    erasure,
    federated,
    inbox,
    integrity,
    rules,
    search,
    second_factor,
    sign_in,
    worklist,
)
from coordination.entrypoints.web.session import (
    CsrfRefused,
    RoleRequired,
    SecondStepRequired,
    SignInRequired,
)
from coordination.entrypoints.web.templating import render
from coordination.settings import Settings

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI, settings: Settings) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.oidc_issuer:
        # Carries a sign-in's state, nonce and code verifier to the identity provider
        # and back, signed; `Lax`: the way back is a top-level navigation from there.
        app.add_middleware(
            SessionMiddleware, secret_key=sign_in_flow_secret(settings),
            session_cookie=FLOW_COOKIE, max_age=FLOW_SECONDS, same_site="lax",
            https_only=settings.public_url.startswith("https://"),
        )  # fmt: skip
    pages = (
        sign_in,
        federated,
        second_factor,
        worklist,
        inbox,
        search,
        cases,
        audit,
        integrity,
        dpo,
        erasure,
        access_log,
        rules,
    )
    for page in pages:
        app.include_router(page.router)
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(SecondStepRequired, _to_second_step)
    app.add_exception_handler(RoleRequired, _role_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    if request.headers.get("hx-request"):
        # htmx follows this with a full page load, not a swap of the sign-in page.
        return Response(status_code=204, headers={"HX-Redirect": "/"})
    return RedirectResponse("/", 303)


async def _to_second_step(request: Request, exc: Exception) -> Response:
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/second-factor"})
    return RedirectResponse("/second-factor", 303)


async def _role_required(request: Request, exc: Exception) -> HTMLResponse:
    return render(request, "refused.html", {
        "heading": N_("Not for your role"),
        "text": N_("This page belongs to another role's workspace."), "nav": "",
    }, 403)  # fmt: skip


async def _csrf_refused(request: Request, exc: Exception) -> HTMLResponse:
    return render(request, "refused.html", {
        "heading": N_("The form has expired"),
        "text": N_("Nothing was changed. Please open the page again and send the form anew."),
        "nav": "",
    }, 403)  # fmt: skip
