"""/v1/tokens: an agency's admin runs the agency's bearer tokens (ADR 0055).

List them (never a secret), issue one (its secret shown in this answer only), revoke
one. An agency holds at most two active tokens per role, so a system changes to a new
token before the old one is revoked, without a moment without one. Every issue and
revocation is an access-log entry.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from coordination.contract.events import Instant
from coordination.contract.tokens import IssueToken
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses
from coordination.services.agency_tokens import Administrator, TokenState, TokenStatus

router = APIRouter(prefix="/v1/tokens", tags=["tokens"])
Admin = Annotated[Caller, Depends(require(Role.ADMIN))]
AdminWriting = Annotated[Caller, Depends(require(Role.ADMIN, json=True))]
TokenId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", examples=["3f9a0c51d2e4"])]
EXAMPLE: JsonDict = {
    "token_id": "3f9a0c51d2e4", "role": "caseworker", "label": "fachverfahren-2027",
    "status": "active", "issued_at": "2026-09-01T09:00:00Z", "expires_at": "2027-09-01T09:00:00Z",
    "revoked_at": None, "last_used_at": "2026-09-14T07:42:10Z",
}  # fmt: skip


class TokenOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    token_id: str
    role: Role
    label: str
    status: TokenStatus
    issued_at: Instant
    expires_at: Instant | None
    revoked_at: Instant | None
    last_used_at: Instant | None = Field(description="up to a minute behind; null: never used")

    @classmethod
    def of(cls, state: TokenState) -> "TokenOut":
        t = state.record
        return cls(
            token_id=t.token_id, role=t.role, label=t.label, status=state.status,
            issued_at=t.issued_at, expires_at=t.expires_at, revoked_at=t.revoked_at,
            last_used_at=t.last_used_at,
        )  # fmt: skip


class TokensOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"agency": "jobcenter-leipzig", "tokens": [EXAMPLE]}]}
    )

    agency: str
    tokens: list[TokenOut]


class TokenIssuedOut(TokenOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**EXAMPLE, "last_used_at": None, "token": "cst.3f9a0c51d2e4.<secret>"}]
        }
    )

    token: str = Field(description="the bearer token: shown in this answer only, never again")


@router.get("", response_model=TokensOut, responses=problem_responses(401, 403))
def list_tokens(caller: Admin, svc: ServicesDep) -> TokensOut:
    """The agency's tokens, oldest first, revoked and expired ones too; no secrets."""
    states = svc.agency_tokens.listed(Administrator.of(caller), caller.agency_id)
    return TokensOut(agency=caller.agency_id, tokens=[TokenOut.of(s) for s in states])


@router.post("", status_code=201, response_model=TokenIssuedOut,
             responses=problem_responses(400, 401, 403, 409, 413, 422))  # fmt: skip
def issue_token(body: IssueToken, caller: AdminWriting, svc: ServicesDep) -> JSONResponse:
    """A new token of the agency, lasting the deployment's `COORDINATION_TOKEN_DAYS`.
    409 `too-many-tokens` while the agency holds two active ones of the role."""
    issued = svc.agency_tokens.issue(
        Administrator.of(caller), caller.agency_id, body.role, body.label
    )
    out = TokenIssuedOut(**TokenOut.of(issued.state).model_dump(), token=issued.token)
    return JSONResponse(out.model_dump(mode="json"), 201, {"Cache-Control": "no-store"})


@router.delete(
    "/{token_id}", response_model=TokenOut, responses=problem_responses(401, 403, 404, 422)
)
def revoke_token(token_id: TokenId, caller: Admin, svc: ServicesDep) -> TokenOut:
    """Refused from the next request on. Revoking a revoked token changes nothing."""
    return TokenOut.of(svc.agency_tokens.revoke(Administrator.of(caller), token_id))
