"""The auditor's routes: the hash chains checked, a signed checkpoint, a case's bundle.

- `GET /v1/audit/verify` reads no personal data and must work exactly when a history
  cannot be trusted, so it looks only at stored bytes and hash rows, never loads a
  case, and is not limited to the auditor's municipality.
- `GET /v1/audit/checkpoint` is the store's signed head, byte for byte the file
  `coordination checkpoint --out` writes.
- `GET /v1/cases/{case_id}/audit-bundle` is the case's bundle, byte for byte in the
  form `coordination export` writes, so `coordination verify-bundle` checks the file;
  `POST` the same with a kept checkpoint as the body proves it against that one. Only
  for cases of the auditor's municipality; `data` is left out unless `?data=include`
  (ADR 0049).

The use cases, with their checks and access-log entries, are `IntegrityService`'s;
these routes only translate.
"""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from coordination.adapters.hashing.checkpoint import Checkpoint, CheckpointInvalid
from coordination.bootstrap import Services
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.cases import ERRORS, parse_case_id
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.problems import problem
from coordination.entrypoints.api.responses import problem_responses
from coordination.services.integrity import (
    CheckpointNotTrusted,
    CheckpointTooOld,
    NotIntact,
    checkpoint_file,
)

router = APIRouter(prefix="/v1", tags=["audit"])

Auditor = Annotated[Caller, Depends(require(Role.AUDITOR))]
AuditorSending = Annotated[Caller, Depends(require(Role.AUDITOR, json=True))]
JSON = "application/json"
# 409 `not-intact` (the store fails verification, so nothing is signed for it) or
# `checkpoint-too-old`; 422 a query or a checkpoint sent that is not one, or not trusted.
CHECKPOINT_ERRORS = problem_responses(401, 403, 409, 503)
BUNDLE_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 422, 503)


class FirstFailure(BaseModel):
    case_id: str | None
    version: int | None
    reason: str
    position: int | None


class Verification(BaseModel):
    ok: bool
    events_checked: int
    first_failure: FirstFailure | None


# Signed text, kept as written (RFC 3339 in UTC, with microseconds): not re-encoded.
SIGNED_INSTANT: dict[str, Any] = {
    "format": "date-time",
    "examples": ["2026-09-01T09:00:00.000000Z"],
}


class CheckpointDocument(BaseModel):
    """A signed head of the store chain (docs/integrity.md#checkpoints)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    format: Literal["coordination-checkpoint/1"]
    position: int
    chain_hash: str
    events: int
    at: str = Field(json_schema_extra=SIGNED_INSTANT)
    key_id: str
    public_key: str
    signature: str


class BundleEvent(BaseModel):
    case_id: str
    version: int
    position: int
    topic: str
    type: str
    state: str  # base64 of the stored bytes: what the hashes cover
    clear: dict[str, Any] | None = Field(description="the fields stored in clear")
    erased: bool
    data: dict[str, Any] | None = Field(
        description="the event's data as the auditor's history shows it (the `data` of its "
        "type's model there); null unless ?data=include, and once erased"
    )
    event_hash: str
    chain_hash: str


class BundleProof(BaseModel):
    chain_before: str
    links: list[tuple[int, str]]


class AuditBundle(BaseModel):
    """One case's events and the proof tying them to a signed checkpoint
    (docs/integrity.md#audit-bundles). Do not reformat it: it is checked byte for byte."""

    format: Literal["coordination-audit-bundle/1"]
    case_id: str
    exported_at: str = Field(json_schema_extra=SIGNED_INSTANT)
    events: list[BundleEvent]
    proof: BundleProof
    checkpoint: CheckpointDocument
    public_key: str
    signature: str


Data = Annotated[
    Literal["omit", "include"],
    Query(description="`include`: each event's data decrypted, as the auditor's history "
                      "read shows it; by default `data` is null (the proof does not need it)"),
]  # fmt: skip


def _download(raw: bytes, filename: str) -> Response:
    disposition = f'attachment; filename="{filename}"'
    return Response(raw, media_type=JSON, headers={"Content-Disposition": disposition})


def _refused(refusal: NotIntact | CheckpointTooOld | CheckpointNotTrusted) -> JSONResponse:
    if isinstance(refusal, NotIntact):
        return problem(409, "not-intact", "The stored history is not intact", str(refusal),
                       first_failure=vars(refusal.failure))  # fmt: skip
    if isinstance(refusal, CheckpointTooOld):
        return problem(409, "checkpoint-too-old", "The case is newer than the checkpoint",
                       f"{refusal}; keep a newer checkpoint")  # fmt: skip
    return problem(422, "checkpoint-not-trusted", "The checkpoint is not trusted", str(refusal))


@router.get("/audit/verify", response_model=Verification, responses=ERRORS)
def verify_hash_chains(
    caller: Auditor, svc: ServicesDep,
    case_id: Annotated[str | None, Query(description="only this case")] = None,
) -> Verification:  # fmt: skip
    case = parse_case_id(case_id) if case_id is not None else None
    report = svc.integrity.verify_for(caller, case)
    failure = report.first_failure
    return Verification(
        ok=failure is None,
        events_checked=report.events_checked,
        first_failure=FirstFailure(**vars(failure)) if failure else None,
    )


@router.get(
    "/audit/checkpoint", response_model=CheckpointDocument, responses=CHECKPOINT_ERRORS,
    response_description="the checkpoint file, byte for byte as `coordination checkpoint` "
                         "writes it; keep it for `verify --against` and `export --against`",
)  # fmt: skip
def get_checkpoint(caller: Auditor, svc: ServicesDep) -> Response:
    """A signed head of the whole store, made after the store verified (409 `not-intact`
    otherwise). It names no case, so it is not limited to the auditor's municipality."""
    try:
        cp = svc.integrity.checkpoint_for(caller)
    except NotIntact as refused:
        return _refused(refused)
    return _download(checkpoint_file(cp), f"checkpoint-{cp.position}.json")


@router.get(
    "/cases/{case_id}/audit-bundle", response_model=AuditBundle, responses=BUNDLE_ERRORS,
    response_description="the bundle, byte for byte as `coordination export` writes it, "
                         "proven against a fresh checkpoint",
)  # fmt: skip
def get_audit_bundle(
    case_id: str, caller: Auditor, svc: ServicesDep, data: Data = "omit"
) -> Response:
    """One case of the auditor's municipality (404 otherwise), for `coordination
    verify-bundle`; 409 `not-intact` when the case, or the store a fresh checkpoint
    needs, fails verification."""
    return _bundle(svc, caller, parse_case_id(case_id), None, data)


@router.post(
    "/cases/{case_id}/audit-bundle", response_model=AuditBundle, responses=BUNDLE_ERRORS,
    response_description="the bundle, proven against the checkpoint sent",
)  # fmt: skip
def prove_audit_bundle(
    case_id: str, caller: AuditorSending, svc: ServicesDep,
    kept: Annotated[CheckpointDocument, Body(description="a checkpoint kept earlier")],
    data: Data = "omit",
) -> Response:  # fmt: skip
    """The bundle proven against a checkpoint the auditor kept, as `coordination export
    --against FILE`: 409 `not-intact` when the store no longer holds that checkpoint's
    history, 409 `checkpoint-too-old` when the case has events after it."""
    uuid = parse_case_id(case_id)
    try:
        against = Checkpoint.from_json(kept.model_dump())
    except CheckpointInvalid as bad:
        return problem(422, "validation-error", "Validation error", str(bad), errors=[])
    return _bundle(svc, caller, uuid, against, data)


def _bundle(
    svc: Services, caller: Caller, case_id: UUID, against: Checkpoint | None, data: str
) -> Response:
    try:
        raw = svc.integrity.bundle_for(caller, case_id, against, with_data=data == "include")
    except (NotIntact, CheckpointTooOld, CheckpointNotTrusted) as refused:
        return _refused(refused)
    return _download(raw, f"bundle-{case_id}.json")
