"""The referral inbox: referrals to this agency, kept fresh while open.

The page asks every few seconds whether its list changed (htmx polling). The answer is
204, nothing, while it has not; names are read, and logged, only when it has.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from coordination.entrypoints.web.session import CaseworkerSession, caller_of, services
from coordination.entrypoints.web.templating import render
from coordination.services.accounts import WebSession
from coordination.services.caseload import CaseloadRequest, digest
from projections.caseload.query import CaseloadItem

router = APIRouter(include_in_schema=False)
ROLE = "referral_recipient"
POLL_SECONDS = 3


ANSWERS = ("ReferralAccepted", "ReferralDeclined")


@router.get("/inbox")
async def inbox(
    request: Request, session: CaseworkerSession, answered: str | None = None
) -> HTMLResponse:
    done = answered if answered in ANSWERS else None
    return await _list(request, session, "inbox.html", answered=done)


@router.get("/inbox/poll")
async def poll(
    request: Request, session: CaseworkerSession,
    state: Annotated[str, Query(max_length=64)] = "",
) -> Response:  # fmt: skip
    svc, caller = services(request), caller_of(request, session)
    now = await run_in_threadpool(svc.caseloads.fingerprint, caller, ROLE)
    if now == state:
        return Response(status_code=204)
    return await _list(request, session, "inbox_list.html", arrived=bool(state))


async def _list(
    request: Request, session: WebSession, template: str, arrived: bool = False,
    answered: str | None = None,
) -> HTMLResponse:  # fmt: skip
    svc, caller = services(request), caller_of(request, session)

    def read() -> tuple[list[CaseloadItem], str]:
        page = svc.caseloads.read(caller, CaseloadRequest(role=ROLE, limit=200))
        items = [i for i in page.items if i.action_needed or i.open_referrals]
        return items, digest(page.items)

    items, state = await run_in_threadpool(read)
    names = {a.agency_id: a.name for a in await run_in_threadpool(svc.directory.list_agencies)}
    return render(request, template, {
        "nav": "inbox", "items": items, "state": state, "poll_seconds": POLL_SECONDS,
        "arrived": arrived, "answered": answered, "agency_names": names,
    })  # fmt: skip
