"""The naive baseline: the endpoint a newcomer to eventsourcing would write.

Load the aggregate, call the command, save. No authentication, no idempotency, no
access log, no consent-aware errors, no retry on a lost race. It is `async def` over
blocking calls, as such first versions usually are, so the event loop serves one
request at a time. Run: `uvicorn bench.naive:app` with COORDINATION_DATABASE_URL set.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi import FastAPI

from coordination.bootstrap import bootstrap
from coordination.domain.case import Case
from coordination.domain.identity import Actor
from coordination.settings import Settings

services = bootstrap(Settings())
app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/cases/{case_id}/events", status_code=201)
async def record(case_id: UUID, body: dict[str, Any]) -> dict[str, Any]:
    kind = body.pop("type")
    if "given_on" in body:
        body["given_on"] = date.fromisoformat(body["given_on"])
    case: Case = services.app.repository.get(case_id)
    methods: dict[str, Callable[..., object]] = {
        "ReferralSent": case.send_referral, "CourseAssigned": case.assign_course,
        "ConsentGranted": case.grant_consent,
    }  # fmt: skip
    method = methods[kind]
    method(Actor(body.pop("agency"), "naive"), datetime.now(UTC), **body)
    services.app.save(case)
    return {"version": case.version}
