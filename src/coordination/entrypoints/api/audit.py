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

import base64
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from coordination.adapters.hashing.bundle import clear_part, event_type
from coordination.adapters.hashing.checkpoint import Checkpoint, CheckpointInvalid
from coordination.bootstrap import Services
from coordination.contract.examples import CASE_ID
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


# The whole store intact; and one whose stored bytes of an event were changed.
VERIFIED: JsonDict = {"ok": True, "events_checked": 17, "first_failure": None}
TAMPERED: JsonDict = {
    "ok": False, "events_checked": 16,
    "first_failure": {"case_id": CASE_ID, "version": 3, "reason": "event changed", "position": 16},
}  # fmt: skip


class Verification(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [VERIFIED, TAMPERED]})

    ok: bool
    events_checked: int
    first_failure: FirstFailure | None


# Signed text, kept as written (RFC 3339 in UTC, with microseconds): not re-encoded.
SIGNED_INSTANT: dict[str, Any] = {
    "format": "date-time",
    "examples": ["2026-09-01T09:00:00.000000Z"],
}

# The examples' case as an auditor exported it three days on, proven against a fresh
# checkpoint; signed with the test suite's key (tests/conftest.py), no deployment's.
PUBLIC_KEY = "Kay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbdc="
CHECKPOINT: JsonDict = {
    "format": "coordination-checkpoint/1", "position": 17,
    "chain_hash": "50810061901f5b812550e1bb877e3c2bcd39b75fe99b23e902f152a1cbcaab6e", "events": 17,
    "at": "2026-09-03T14:00:00.000000Z", "key_id": "24f6ed6acbfe1009", "public_key": PUBLIC_KEY,
    "signature": "OUUPMiFRqRkLgpJxFGtkVxsYjmTkHUaUcJtwxKd4airh"
                 "9P9sEJ5gMCdLLAdsRccQEPY7F1IvDNG7ebPE+BXCDA==",
}  # fmt: skip


def _event(
    version: int, position: int, topic: str, state: str, event_hash: str, chain_hash: str
) -> JsonDict:
    """An event of the bundle, as `build_bundle` writes it; `data` left out (null)."""
    clear = clear_part(base64.b64decode(state))
    return {"case_id": CASE_ID, "version": version, "position": position, "topic": topic,
            "type": event_type(topic), "state": state, "clear": clear, "erased": False,
            "data": None, "event_hash": event_hash, "chain_hash": chain_hash}  # fmt: skip


BUNDLE_EVENTS: list[JsonDict] = [
    _event(
        1,
        14,
        "coordination.domain.case.opening:CaseOpened",
        "eyJjIjp7InRpbWVzdGFtcCI6eyJfdHlwZV8iOiJkYXRldGltZV9pc28iLCJfZGF0YV8iOiIyMDI2LT"
        "A5LTAxVDA5OjAwOjAwKzAwOjAwIn0sIm9yaWdpbmF0b3JfdG9waWMiOiJjb29yZGluYXRpb24uZG9t"
        "YWluLmNhc2U6Q2FzZSIsInJlY29yZGVkX2J5IjoiYWJoLWxlaXB6aWciLCJ0b2tlbl9sYWJlbCI6Im"
        "ZhY2h2ZXJmYWhyZW4iLCJtdW5pY2lwYWxpdHkiOiJsZWlwemlnIiwidXNlciI6IiJ9LCJzIjoibVpq"
        "eGJTYWNLZGFLalRUWXZKc1NPU2N1Skd2VGIwa1QwVldKVndrV1FQSDBmQkZyS2J0U05VSWMzQ1JGY2"
        "4wYXJMbTl3cjI4RnlBdmtkTjZ1blhoVWt4SkZRUTVxU0lJS2ZrazQ0M0JuL2N4ckRvRmpDZGp1dkx4"
        "MnU3RGVQR0pEQk5oV2M2VVFNblk2RUt5VXpJQ1c2SlhNRWtqZVZCYnVSSXoxcTlwNjBZZlRBVXVFQV"
        "dMT1JRaGdSQkhqcmNHVXBSVGxPbTdwZm8zOFNZcC9QYkF0b1l2UStuU1lnT1ZRVU4zaTNYYzdNY1gy"
        "TEJTNTJzdy9IY3EyUHg2T3QxZ3JsQjJIQTIwTU1MelhGNWNRTjFZZVBvRGFjMjVUeGZSZlM2Y05uQ1"
        "l3cm5XK1VMKzdNR0wxUURJWWZqR01xMUlwUjREcms2WVA1c1BVbzcvWXVCbkp5MmRmb1dna1RFd1ln"
        "QlJ1UDBRNzZmTU84WkxtcXZXMGRId0dzNlFkVVZUdU00dDJsVWJzMGxyREtnTUVsZ0Z0TXlZbk0zVF"
        "ExdEhnVzRZYlNENCtZdlhDSEQyIn0=",
        "ff4a9784185c9b404d932eb5a936d13a2fc9a4f279d6ff27ad30713d454313a8",
        "a4cb85bfc064c91453edb8d6b4e0282111df5480038edb12d0b10dae839a603c",
    ),
    _event(
        2,
        15,
        "coordination.domain.case.consents:ConsentGranted",
        "eyJjIjp7InRpbWVzdGFtcCI6eyJfdHlwZV8iOiJkYXRldGltZV9pc28iLCJfZGF0YV8iOiIyMDI2LT"
        "A5LTAxVDA5OjAwOjAwKzAwOjAwIn0sInJlY29yZGVkX2J5IjoiYWJoLWxlaXB6aWciLCJ0b2tlbl9s"
        "YWJlbCI6ImZhY2h2ZXJmYWhyZW4iLCJ1c2VyIjoiIiwiY29uc2VudF9pZCI6ImNvbnNlbnQtMSIsIn"
        "JlY2lwaWVudHMiOlsibWJlLWNhcml0YXMtbGVpcHppZyJdLCJwdXJwb3NlcyI6WyJjb3Vuc2VsbGlu"
        "ZyJdLCJjYXRlZ29yaWVzIjpbImlkZW50aXR5IiwiY29udGFjdCJdLCJnaXZlbl9vbiI6eyJfdHlwZV"
        "8iOiJkYXRlX2lzbyIsIl9kYXRhXyI6IjIwMjYtMDktMDEifSwidmFsaWRfdW50aWwiOnsiX3R5cGVf"
        "IjoiZGF0ZV9pc28iLCJfZGF0YV8iOiIyMDI3LTA4LTMxIn0sImV2aWRlbmNlIjp7Im1ldGhvZCI6In"
        "dyaXR0ZW4iLCJkb2N1bWVudF9yZWYiOiJFVi0yMDI2LTExNyIsImxhbmd1YWdlIjoiYXIifSwibm90"
        "aWNlX3ZlcnNpb24iOm51bGwsIm9idGFpbmVkX2J5IjoiYWJoLWxlaXB6aWciLCJkaXNjbG9zZXJzIj"
        "pudWxsLCJsZWdhbF9yZXByZXNlbnRhdGl2ZSI6bnVsbCwiY2xhc3NfdmVyc2lvbiI6Mn0sInMiOm51"
        "bGx9",
        "528944d8b0988e9352e8718dd0407448937666c0d3dc8d853f7225febea03249",
        "9b36c2c11c156fc577743dc949b14f6adcd1aeab2fcb868763c700a3a8a051fb",
    ),
    _event(
        3,
        16,
        "coordination.domain.case.referrals:ReferralSent",
        "eyJjIjp7InRpbWVzdGFtcCI6eyJfdHlwZV8iOiJkYXRldGltZV9pc28iLCJfZGF0YV8iOiIyMDI2LT"
        "A5LTAxVDA5OjA1OjAwKzAwOjAwIn0sInJlY29yZGVkX2J5IjoiYWJoLWxlaXB6aWciLCJ0b2tlbl9s"
        "YWJlbCI6ImZhY2h2ZXJmYWhyZW4iLCJ1c2VyIjoiIiwicmVmZXJyYWxfaWQiOiJyZWZlcnJhbC0xIi"
        "widG9fYWdlbmN5IjoibWJlLWNhcml0YXMtbGVpcHppZyIsInB1cnBvc2UiOiJjb3Vuc2VsbGluZyIs"
        "ImNhdGVnb3JpZXMiOlsiaWRlbnRpdHkiLCJjb250YWN0Il19LCJzIjoiMXc3RlNNVVNBRHBPTERBdk"
        "9lMTQvY3M5anlVbXVZcHhZQXhTQk45ZkV1VEU0dnFTQTF3V2k5Zz0ifQ==",
        "f29af29c40d557305565088fa6f05cd780469546988d9fc5180ac4c2274669ec",
        "9f686dbc772e1ca912ca2431699c2993a96233704fc93c31ab81b389ec182b64",
    ),
    _event(
        4,
        17,
        "coordination.domain.case.referrals:ReferralAccepted",
        "eyJjIjp7InRpbWVzdGFtcCI6eyJfdHlwZV8iOiJkYXRldGltZV9pc28iLCJfZGF0YV8iOiIyMDI2LT"
        "A5LTAyVDA4OjMxOjAwKzAwOjAwIn0sInJlY29yZGVkX2J5IjoibWJlLWNhcml0YXMtbGVpcHppZyIs"
        "InRva2VuX2xhYmVsIjoiYmVyYXR1bmdzc29mdHdhcmUiLCJ1c2VyIjoiIiwicmVmZXJyYWxfaWQiOi"
        "JyZWZlcnJhbC0xIn0sInMiOiJCL2daRk9wRGJlWDZ3eTNqcU83ditTc3JPOCtrc09FQTBJYkJqREF1"
        "bTRJN3N2RndUOGxFMGNaSDlnPT0iLCJrIjoiY2FyaXRhcy1sZWlwemlnIn0=",
        "e4aca05aac9fc4b6c8a05c5ed8b16ad87591d692528d8969267aa03c0b364e55",
        "50810061901f5b812550e1bb877e3c2bcd39b75fe99b23e902f152a1cbcaab6e",
    ),
]
BUNDLE: JsonDict = {
    "format": "coordination-audit-bundle/1", "case_id": CASE_ID,
    "exported_at": "2026-09-03T14:00:00.000000Z", "events": [*BUNDLE_EVENTS],
    # The store's events from the case's first to the checkpoint's head: here its own.
    "proof": {"chain_before": "f8d212ba0eb7c3d8f11e113132a27e3484aff13d49a6b56735bba0916cea64f6",
              "links": [[e["position"], e["event_hash"]] for e in BUNDLE_EVENTS]},
    "checkpoint": CHECKPOINT, "public_key": PUBLIC_KEY,
    "signature": "BlY9YjIPgFFWrnRPqUw9ME+S6TFRz4RfsH3MXjFGVMcr"
                 "o7OaCYaCUdv49yUVRB9xv0X8Hv+vqStDNKWAICSzDw==",
}  # fmt: skip


class CheckpointDocument(BaseModel):
    """A signed head of the store chain (docs/integrity.md#checkpoints)."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [CHECKPOINT]}
    )

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

    model_config = ConfigDict(json_schema_extra={"examples": [BUNDLE]})

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
