"""/v1/webhooks: an agency's admin registers endpoints that receive the agency's change
feed (ADR 0057), sees each delivery with its status, and retires an endpoint."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.config import JsonDict

from coordination.adapters.store.webhooks import Delivery, Webhook
from coordination.contract.events import Instant
from coordination.contract.examples import CASE_ID
from coordination.domain.catalogue import CATALOGUE
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
Admin = Annotated[Caller, Depends(require(Role.ADMIN))]
AdminWriting = Annotated[Caller, Depends(require(Role.ADMIN, json=True))]
WebhookId = Annotated[str, Path(pattern=r"^wh-[0-9a-f]{32}$")]
# The catalogue's event types, as an enum of the schema: a generated client offers them.
EventType = Annotated[str, Field(json_schema_extra={"enum": sorted(CATALOGUE)})]
EXAMPLE: JsonDict = {
    "webhook_id": "wh-5b0c8e0f3f0d4a3f9a8f1f2e3d4c5b6a",
    "url": "https://fachverfahren.jobcenter-mayen-koblenz.de/hooks/koordination",
    "event_types": ["ReferralSent"], "created_at": "2026-09-01T09:00:00Z",
    "created_by": "jc-admin", "retired_at": None,
}  # fmt: skip


# The first delivered, the second waiting to be tried again: its receiver was not reached.
DELIVERIES: list[JsonValue] = [
    {"position": 41, "case_id": CASE_ID, "version": 3, "type": "ReferralSent",
     "status": "delivered", "attempts": 1, "first_tried_at": "2026-09-01T09:00:01Z",
     "next_attempt_at": None, "last_status": 204, "last_error": None,
     "delivered_at": "2026-09-01T09:00:01Z"},
    {"position": 42, "case_id": CASE_ID, "version": 4, "type": "ConsentWithdrawn",
     "status": "pending", "attempts": 2, "first_tried_at": "2026-10-01T08:00:01Z",
     "next_attempt_at": "2026-10-01T08:00:36Z", "last_status": None,
     "last_error": "ConnectTimeout", "delivered_at": None},
]  # fmt: skip


class RegisterWebhook(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": EXAMPLE["url"], "event_types": ["ReferralSent", "ConsentWithdrawn"]}
            ]
        },
    )

    url: str = Field(max_length=2000, description="https://, on the deployment's allow-list")
    event_types: list[EventType] = Field(min_length=1, max_length=len(CATALOGUE))


class WebhookOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    webhook_id: str
    url: str
    event_types: list[str]
    created_at: Instant
    created_by: str
    retired_at: Instant | None

    @classmethod
    def of(cls, hook: Webhook) -> "WebhookOut":
        return cls(webhook_id=hook.webhook_id, url=hook.url, event_types=hook.event_types,
                   created_at=hook.created_at, created_by=hook.created_by,
                   retired_at=hook.retired_at)  # fmt: skip


class WebhookRegisteredOut(WebhookOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]
        }
    )

    secret: str = Field(description="the signing secret (whsec_…): in this answer only")


class WebhooksOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"webhooks": [EXAMPLE]}]})

    webhooks: list[WebhookOut]


class DeliveryOut(BaseModel):
    position: int = Field(description="the entry's number in the agency's feed")
    case_id: str
    version: int
    type: str
    status: Literal["pending", "delivered", "failed", "skipped"]
    attempts: int
    first_tried_at: Instant | None
    next_attempt_at: Instant | None = Field(description="while pending")
    last_status: int | None = Field(description="the receiver's last HTTP status")
    last_error: str | None
    delivered_at: Instant | None

    @classmethod
    def of(cls, d: Delivery) -> "DeliveryOut":
        return cls(
            position=d.number, case_id=d.case_id, version=d.version, type=d.event_type,
            status=d.status, attempts=d.attempts, first_tried_at=d.first_tried_at,
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
            last_status=d.last_status, last_error=d.last_error, delivered_at=d.delivered_at,
        )  # fmt: skip


class DeliveriesOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": DELIVERIES, "cursor": 42}]})

    items: list[DeliveryOut]
    cursor: int = Field(description="pass as `after` to continue after this page")


@router.post("", status_code=201, response_model=WebhookRegisteredOut,
             responses=problem_responses(400, 401, 403, 413, 422))  # fmt: skip
def register_webhook(body: RegisterWebhook, caller: AdminWriting, svc: ServicesDep) -> JSONResponse:
    """Deliveries begin with the agency's next feed entry of these types. 422
    `webhook-refused` for an address off the allow-list."""
    registered = svc.webhooks.register(caller, body.url, list(body.event_types))
    out = WebhookRegisteredOut(**WebhookOut.of(registered.webhook).model_dump(),
                               secret=registered.secret)  # fmt: skip
    return JSONResponse(out.model_dump(mode="json"), 201, {"Cache-Control": "no-store"})


@router.get("", response_model=WebhooksOut, responses=problem_responses(401, 403))
def list_webhooks(caller: Admin, svc: ServicesDep) -> WebhooksOut:
    return WebhooksOut(webhooks=[WebhookOut.of(h) for h in svc.webhooks.of_agency(caller)])


@router.get("/{webhook_id}", response_model=WebhookOut,
            responses=problem_responses(401, 403, 404, 422))  # fmt: skip
def get_webhook(webhook_id: WebhookId, caller: Admin, svc: ServicesDep) -> WebhookOut:
    return WebhookOut.of(svc.webhooks.get(caller, webhook_id))


@router.delete("/{webhook_id}", response_model=WebhookOut,
               responses=problem_responses(401, 403, 404, 422))  # fmt: skip
def retire_webhook(webhook_id: WebhookId, caller: Admin, svc: ServicesDep) -> WebhookOut:
    """No more deliveries from now on; those made stay listed."""
    return WebhookOut.of(svc.webhooks.retire(caller, webhook_id))


@router.get("/{webhook_id}/deliveries", response_model=DeliveriesOut,
            responses=problem_responses(401, 403, 404, 422))  # fmt: skip
def list_deliveries(
    webhook_id: WebhookId, caller: Admin, svc: ServicesDep,
    after: Annotated[int, Query(ge=0, le=2**62, description="the cursor")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveriesOut:  # fmt: skip
    found = svc.webhooks.deliveries(caller, webhook_id, after, limit)
    return DeliveriesOut(items=[DeliveryOut.of(d) for d in found],
                         cursor=found[-1].number if found else after)  # fmt: skip
