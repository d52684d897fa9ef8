"""Typed dependencies: the services, the authenticated caller, role guards."""

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from coordination.api.rate_limit import throttle
from coordination.bootstrap import Services
from coordination.service import Caller
from coordination.store.directory import Role

bearer = HTTPBearer(auto_error=False, description="A token from `coordination tokens issue`")


Guard = Callable[..., Awaitable[Caller]]

# FastAPI runs every plain `def` dependency in its thread pool, a hop there and back
# for each: the dependencies that do not block are `async def`, so a write crosses to a
# thread twice (authentication, then the endpoint), not five times.


async def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


def current_caller(
    request: Request,
    svc: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    principal = svc.directory.authenticate(credentials.credentials)
    if principal is None:
        raise HTTPException(401, "the token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
    # Read back by the request log line (contextvars do not leave the worker thread).
    request.state.agency = principal.agency.agency_id
    throttle(request, principal.token_id)
    return Caller(principal, request.state.request_id)


def require(*roles: Role) -> Guard:
    async def guard(
        caller: Annotated[Caller, Depends(current_caller)], request: Request, svc: ServicesDep
    ) -> Caller:
        if caller.principal.role not in roles:
            await run_in_threadpool(_refuse_role_on_case, caller, request, svc)
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(403, f"this needs the role {allowed}")
        return caller

    return guard


def _refuse_role_on_case(caller: Caller, request: Request, svc: Services) -> None:
    """A wrong role on a case is a refusal like any other: logged. Malformed ids are not."""
    try:
        case_id = UUID(request.path_params.get("case_id", ""))
    except ValueError:
        return
    svc.cases.refuse_role(caller, case_id)


def json_body(guard: Guard) -> Guard:
    """Writes carry JSON; checked after authentication, so strangers learn nothing."""

    async def writer(caller: Annotated[Caller, Depends(guard)], request: Request) -> Caller:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise HTTPException(400, "the body must be application/json")
        return caller

    return writer


Caseworker = Annotated[Caller, Depends(json_body(require(Role.CASEWORKER)))]
CaseReader = Annotated[Caller, Depends(require(Role.CASEWORKER, Role.AUDITOR, Role.DPO))]
