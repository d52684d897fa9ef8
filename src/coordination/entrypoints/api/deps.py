"""Typed dependencies: the services, the authenticated caller, role guards."""

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from coordination.bootstrap import Services
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.rate_limit import throttle

bearer = HTTPBearer(auto_error=False, description="A token from `coordination tokens issue`")


Guard = Callable[..., Awaitable[Caller]]

# FastAPI runs every plain `def` dependency in its thread pool, a hop there and back
# for each: every dependency is `async def`, and on PostgreSQL the token is read on the
# event loop, so a write to a case this process holds crosses to no thread (ADR 0028).


async def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


def require(*roles: Role, json: bool = False) -> Guard:
    """One dependency per route for the caller: the token, the role and, for writes
    (`json`), the body's media type, checked in that order, so strangers learn nothing.
    FastAPI resolves each dependency with its own machinery, so this is one resolution
    where a chain of three took three (ADR 0028)."""

    # The roles go into the OpenAPI document as the operation's security requirement:
    # OpenAPI 3.1 lets a bearer scheme's requirement list the role names it needs.
    names = [r.value for r in roles]

    async def guard(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer, scopes=names)],
    ) -> Caller:
        caller = await authenticated(request, credentials)
        if caller.principal.role not in roles:
            svc: Services = request.app.state.services
            await run_in_threadpool(_refuse_role_on_case, caller, request, svc)
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(403, f"this needs the role {allowed}")
        if json:
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json" and not media_type.endswith("+json"):
                raise HTTPException(400, "the body must be application/json")
        return caller

    return guard


async def authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    svc: Services = request.app.state.services
    principal = await svc.tokens.authenticate(credentials.credentials)
    if principal is None:
        raise HTTPException(401, "the token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
    # Read back by the request log line.
    request.state.agency = principal.agency.agency_id
    throttle(request, principal.token_id)
    return Caller(principal, request.state.request_id)


def _refuse_role_on_case(caller: Caller, request: Request, svc: Services) -> None:
    """A wrong role on a case is a refusal like any other: logged. Malformed ids are not."""
    try:
        case_id = UUID(request.path_params.get("case_id", ""))
    except ValueError:
        return
    svc.cases.refuse_role(caller, case_id)


Caseworker = Annotated[Caller, Depends(require(Role.CASEWORKER, json=True))]
CaseReader = Annotated[Caller, Depends(require(Role.CASEWORKER, Role.AUDITOR, Role.DPO))]
