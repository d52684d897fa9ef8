"""The change feed (ADR 0056): an agency's system follows the events of the cases its
agency is related to, by page, by long polling, or as server-sent events."""

import json
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from coordination.contract.events import FeedItemOut, example_event
from coordination.contract.examples import CASE_ID
from coordination.domain.catalogue import CATALOGUE
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api.convert import header_schema
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses
from coordination.services.feed import MAX_LIMIT, FeedService

router = APIRouter(prefix="/v1", tags=["feed"])

ERRORS = problem_responses(400, 401, 403, 422)
POLL_SECONDS = 0.2  # how often a waiting request looks for news: news arrives within it
STREAM_SECONDS = 300  # a stream ends after this; the client resumes with Last-Event-ID
MAX_POSITION = 2**62
LAST_EVENT_ID = re.compile(r"^[0-9]{1,18}$")
# An agency's systems follow its feed: the case workers' role, as for case reads.
Follower = Annotated[Caller, Depends(require(Role.CASEWORKER))]


# An entry of the example case's referral, as the migration service's feed shows it.
ITEM = example_event(CATALOGUE["ReferralSent"], 3) | {"position": 41, "case_id": CASE_ID}


class FeedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [ITEM], "cursor": 41}]})

    items: list[FeedItemOut]
    cursor: int = Field(description="pass as `after` to continue after this page")


STREAM = {200: {"content": {"text/event-stream": {"schema": {
    "type": "string",
    "description": "`id`: the entry's position, `event`: its type, `data`: the item as JSON",
}, "example": f"id: 41\nevent: ReferralSent\ndata: {json.dumps(ITEM)}\n\n"}}}}  # fmt: skip


@router.get("/feed", response_model=FeedOut, responses={**ERRORS, **STREAM})  # type: ignore[dict-item]
async def get_feed(
    request: Request, caller: Follower, svc: ServicesDep,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION,
                                description="the cursor: entries after this position")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    wait: Annotated[float, Query(ge=0, le=30,
                                 description="seconds to wait for news when there is none")] = 0,
    last_event_id: Annotated[str | None, Header(
        description="where a stream resumes: the id of the last event received",
        json_schema_extra=header_schema(pattern=LAST_EVENT_ID.pattern))] = None,
) -> Response:  # fmt: skip
    """The events this agency may know about, in store order, each with what it may see
    of it now. With `Accept: text/event-stream`, a stream of them."""
    resumed = _resumed(last_event_id) if last_event_id is not None else None
    if "text/event-stream" in request.headers.get("accept", ""):
        start = resumed if resumed is not None else after
        return EventSourceResponse(_stream(svc.feed, caller, start, limit), ping=15)
    if wait and not await _news(svc.feed, caller, after, time.monotonic() + wait):
        return JSONResponse({"items": [], "cursor": after})
    page = await run_in_threadpool(svc.feed.page, caller, after, limit)
    return JSONResponse({"items": [i.out() for i in page.items], "cursor": page.last})


def _resumed(last_event_id: str) -> int:
    """The position a stream resumes after; anything but a number is refused like any
    invalid header (422)."""
    if not LAST_EVENT_ID.match(last_event_id.strip()):
        raise RequestValidationError([{"type": "string_pattern_mismatch",
                                       "loc": ("header", "last-event-id"),
                                       "msg": "a Last-Event-ID is a number"}])  # fmt: skip
    return int(last_event_id)


async def _news(feed: FeedService, caller: Caller, after: int, deadline: float) -> bool:
    while not await run_in_threadpool(feed.has_news, caller, after):
        if time.monotonic() >= deadline:
            return False
        await anyio.sleep(POLL_SECONDS)
    return True


async def _stream(
    feed: FeedService, caller: Caller, after: int, limit: int
) -> AsyncIterator[dict[str, str]]:
    ends = time.monotonic() + STREAM_SECONDS
    while await _news(feed, caller, after, ends):
        page = await run_in_threadpool(feed.page, caller, after, limit)
        for item in page.items:
            out = item.out()
            yield {"id": str(item.number), "event": out["type"], "data": json.dumps(out)}
        after = page.last
