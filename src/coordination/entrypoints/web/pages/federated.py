"""Sign-in through the agency's identity provider (OpenID Connect, ADR 0048)."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from coordination.adapters.identity_provider import FederatedSignInFailed, IdentityProvider
from coordination.entrypoints.web.pages.sign_in import home_of, sign_in_page
from coordination.entrypoints.web.session import services, set_session_cookie
from coordination.services.accounts import NoAccountForIdentity

router = APIRouter(include_in_schema=False)
BACK = "/sign-in/provider/back"


def _provider(request: Request) -> IdentityProvider:
    provider = services(request).identity_provider
    if provider is None:
        raise HTTPException(404)
    return provider


@router.get("/sign-in/provider")
async def leave_for_provider(request: Request) -> Response:
    provider = _provider(request)
    return await provider.redirect(request, services(request).settings.public_url + BACK)


@router.get(BACK)
async def back_from_provider(request: Request) -> Response:
    provider = _provider(request)
    try:
        identity = await provider.identity(request)
        session = await run_in_threadpool(services(request).accounts.sign_in_federated, identity)
    except (FederatedSignInFailed, NoAccountForIdentity):
        return sign_in_page(request, provider_failed=True)
    response = RedirectResponse(home_of(session), 303)
    set_session_cookie(request, response, session.token)
    return response
