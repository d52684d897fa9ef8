"""Who is signed in: the session cookie, the form token, and the guards of the pages.

The cookie carries a random token only; the session lives in the database (revocable,
idle and absolute timeouts). Over https it is `__Host-` and `Secure`; always `HttpOnly`
and `SameSite=Lax`. Every form that changes anything carries the session's CSRF token
(htmx sends it as a header); without it the request changes nothing and gets 403.
"""

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from coordination.bootstrap import Services
from coordination.domain.identity import Caller, Role
from coordination.services.accounts import WebSession

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SIGN_IN_COOKIE = "signin_csrf"  # the sign-in form's token: no session exists yet


class SignInRequired(Exception):
    """No live session: the person is sent to the sign-in page."""


class SecondStepRequired(Exception):
    """The password was right; a code of the second factor (or setting one up) is due."""


class RoleRequired(Exception):
    def __init__(self, role: Role) -> None:
        super().__init__(role.value)
        self.role = role


class CsrfRefused(Exception):
    """A form without its token (or with another session's): nothing is changed."""


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def secure(request: Request) -> bool:
    return services(request).settings.public_url.startswith("https://")


def cookie_name(request: Request) -> str:
    return "__Host-session" if secure(request) else "session"


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(request), token, httponly=True, samesite="lax", secure=secure(request),
        path="/",
    )  # fmt: skip


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request), path="/", httponly=True, samesite="lax", secure=secure(request)
    )


async def current(request: Request) -> WebSession | None:
    token = request.cookies.get(cookie_name(request), "")
    found = await run_in_threadpool(services(request).accounts.session, token) if token else None
    request.state.web_session = found
    if found is not None:
        request.state.agency = found.agency.agency_id  # read back by the request log line
    return found


async def signing_in(request: Request) -> WebSession:
    """A session, signed in or with its second step still due."""
    found = await current(request)
    if found is None:
        raise SignInRequired
    return found


async def signed_in(session: Annotated[WebSession, Depends(signing_in)]) -> WebSession:
    if session.pending is not None:
        raise SecondStepRequired
    return session


SigningIn = Annotated[WebSession, Depends(signing_in)]
SignedIn = Annotated[WebSession, Depends(signed_in)]


def acting_as(role: Role) -> Callable[[WebSession], Awaitable[WebSession]]:
    """A dependency: the session, if it acts in this role (its workspace's pages)."""

    async def check(session: SignedIn) -> WebSession:
        if session.role is not role:
            raise RoleRequired(role)
        return session

    return check


CaseworkerSession = Annotated[WebSession, Depends(acting_as(Role.CASEWORKER))]
AuditorSession = Annotated[WebSession, Depends(acting_as(Role.AUDITOR))]
DpoSession = Annotated[WebSession, Depends(acting_as(Role.DPO))]
AdminSession = Annotated[WebSession, Depends(acting_as(Role.ADMIN))]


def caller_of(request: Request, session: WebSession) -> Caller:
    return session.caller(request.state.request_id)


async def checked_form(request: Request, session: WebSession) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    offered = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or "")
    if not offered or not hmac.compare_digest(offered, session.csrf_token):
        raise CsrfRefused
    return form


def sign_in_token(request: Request) -> str:
    """The sign-in form's token: the cookie's, or a new one the page sets."""
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)


def check_sign_in_token(request: Request, form: FormData) -> None:
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    offered = str(form.get(CSRF_FIELD) or "")
    if not cookie or not hmac.compare_digest(cookie, offered):
        raise CsrfRefused
