"""The worklist: the agency's caseload, action needed first, with filters and paging."""

from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from coordination.entrypoints.web.session import CaseworkerSession, caller_of, services
from coordination.entrypoints.web.templating import render
from coordination.services.caseload import CaseloadRequest
from projections.caseload.query import BadCursor

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
RoleFilter = Literal["lead", "referral_recipient", "course_provider", "milestone_owner"]


@router.get("/worklist")
async def worklist(
    request: Request, session: CaseworkerSession,
    role: Annotated[RoleFilter | Literal[""], Query()] = "",
    overdue: bool = False,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> HTMLResponse:  # fmt: skip
    asked = CaseloadRequest(role=role or None, overdue=overdue, limit=PAGE_SIZE, cursor=cursor)
    caller = caller_of(request, session)
    try:
        page = await run_in_threadpool(services(request).caseloads.read, caller, asked)
    except BadCursor:
        asked = CaseloadRequest(role=role or None, overdue=overdue, limit=PAGE_SIZE)
        page = await run_in_threadpool(services(request).caseloads.read, caller, asked)
    return render(request, "worklist.html", {
        "nav": "worklist", "items": page.items, "next_cursor": page.next_cursor,
        "role": role, "overdue": overdue, "roles": get_args(RoleFilter), "paged": cursor,
    })  # fmt: skip
