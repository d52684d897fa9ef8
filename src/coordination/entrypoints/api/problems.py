"""One place that turns every error into application/problem+json (RFC 9457)."""

from typing import Any

import structlog
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from coordination.adapters.store.access_log import AccessLogUnavailable
from coordination.adapters.store.directory import TokenExpired, TooManyTokens
from coordination.adapters.store.idempotency import IdempotencyKeyInFlight, IdempotencyKeyReused
from coordination.application.errors import (
    CaseNotFound,
    Contended,
    Forbidden,
    ProjectionBehind,
    VersionMismatch,
)
from coordination.domain.errors import (
    ConsentNotObtained,
    ConsentOwnAccess,
    ConsentRequired,
    InvalidEvent,
    PartIsErased,
)
from coordination.domain.statutory import InvalidRule, RuleConflict, UnknownRule
from coordination.entrypoints.api.security_headers import security_headers
from coordination.services.agency_tokens import NoSuchToken
from coordination.services.importing import ImportStopped
from coordination.services.read_your_writes import PositionAhead
from coordination.services.webhooks.registry import NoSuchWebhook, WebhookRefused
from projections.caseload.query import BadCursor

PROBLEM_TYPES = "https://coordination.example/problems/"

# Exception class -> (status, code, title); looked up along the class's MRO.
PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    InvalidEvent: (422, "invalid-event", "The event breaks a rule of the case"),
    PartIsErased: (422, "part-erased", "Your controller erased its part of this case"),
    ConsentRequired: (403, "consent-required", "No active consent covers this disclosure"),
    ConsentOwnAccess: (403, "consent-own-access", "A recipient cannot record its own consent"),
    ConsentNotObtained: (
        403,
        "consent-not-obtained",
        "Only the obtaining or the lead agency records a consent",
    ),
    CaseNotFound: (404, "not-found", "Not found"),
    InvalidRule: (422, "invalid-rule", "The rule cannot be in the rule book"),
    RuleConflict: (409, "conflict", "The rule book holds something else"),
    UnknownRule: (404, "not-found", "Not found"),
    NoSuchToken: (404, "not-found", "Not found"),
    # Only for the token's holder: the secret matched (ADR 0055).
    TokenExpired: (401, "token-expired", "The token has expired"),
    TooManyTokens: (409, "too-many-tokens", "The agency holds two active tokens of this role"),
    VersionMismatch: (412, "version-mismatch", "The case is not at the expected version"),
    IdempotencyKeyReused: (422, "idempotency-key-reused", "Idempotency-Key reused"),
    IdempotencyKeyInFlight: (409, "conflict", "Request still in flight"),
    # The store holds what the input cannot go over (an erased case): not the input's fault.
    ImportStopped: (409, "conflict", "The import stopped"),
    Forbidden: (403, "forbidden", "Forbidden"),
    WebhookRefused: (422, "webhook-refused", "The webhook cannot be registered"),
    NoSuchWebhook: (404, "not-found", "Not found"),
    Contended: (503, "unavailable", "Service unavailable"),
    AccessLogUnavailable: (503, "unavailable", "Service unavailable"),
    ProjectionBehind: (503, "unavailable", "Service unavailable"),
    PositionAhead: (422, "position-ahead", "The store has not reached that position"),
    BadCursor: (400, "bad-request", "Bad request"),
    OperationalError: (503, "unavailable", "Service unavailable"),
    InterfaceError: (503, "unavailable", "Service unavailable"),
}
HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Unauthenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Payload too large"),
    429: ("rate-limited", "Too many requests"),
    503: ("unavailable", "Service unavailable"),
}


# Every `code` a problem may carry: the Problem schema lists them, `problem` no other.
CODES = frozenset(
    {code for _, code, _ in PROBLEMS.values()} | {code for code, _ in HTTP_CODES.values()}
    | {"error", "validation-error", "internal-error", "not-intact", "checkpoint-too-old",
       "checkpoint-not-trusted"}
)  # fmt: skip


def problem(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:  # fmt: skip
    assert code in CODES, f"the problem code {code} is not in the contract's list"
    body = {"type": PROBLEM_TYPES + code, "title": title, "status": status,
            "detail": detail, "code": code, **extra}  # fmt: skip
    if status == 503:
        headers = {"Retry-After": "1", **(headers or {})}
    return JSONResponse(body, status, headers, media_type="application/problem+json")


def _extra(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ConsentRequired):
        return {"recipient": exc.recipient, "purpose": exc.purpose, "categories": exc.categories}
    if isinstance(exc, VersionMismatch):
        return {"current_version": exc.current_version}
    if isinstance(exc, TokenExpired):
        return {"expired_at": exc.shown}
    return {}


def _headers(exc: Exception) -> dict[str, str] | None:
    if isinstance(exc, TokenExpired):
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    return None


def _detail(exc: Exception) -> str:
    # Store errors may quote SQL or data: say only that the store is unavailable.
    if isinstance(exc, OperationalError | InterfaceError):
        return "the database cannot be reached; nothing was recorded"
    return str(exc)


async def handle_known(request: Request, exc: Exception) -> JSONResponse:
    for cls in type(exc).__mro__:
        if cls in PROBLEMS:
            status, code, title = PROBLEMS[cls]
            return problem(status, code, title, _detail(exc), _headers(exc), **_extra(exc))
    return await handle_unexpected(request, exc)


async def handle_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code, title = HTTP_CODES.get(exc.status_code, ("error", "Error"))
    headers = dict(exc.headers or {})
    return problem(exc.status_code, code, title, str(exc.detail), headers)


async def handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, "bad-request", "Bad request", "the body is not valid JSON")
    cleaned = [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in errors]
    return problem(422, "validation-error", "Validation error",
                   "the body does not fit the schema", errors=cleaned)  # fmt: skip


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    structlog.get_logger().error("unhandled", error=type(exc).__name__)
    # Sent from outside the middleware stack (Starlette's ServerErrorMiddleware), after
    # which uvicorn closes the connection: say so, or a client's next request fails.
    headers = security_headers(request.url.path, request.url.scheme) | {"Connection": "close"}
    return problem(500, "internal-error", "Internal error", "an unexpected error occurred",
                   headers)  # fmt: skip


def install(app: FastAPI) -> None:
    for cls in PROBLEMS:
        app.add_exception_handler(cls, handle_known)
    app.add_exception_handler(HTTPException, handle_http)
    app.add_exception_handler(RequestValidationError, handle_validation)
    app.add_exception_handler(Exception, handle_unexpected)
