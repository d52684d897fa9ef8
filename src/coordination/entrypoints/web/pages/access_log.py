"""The access log in the DPO's workspace: the entries of the controller's agencies,
filtered by action, agency, person, case and period, newest first; and as CSV."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from coordination.entrypoints.web.forms import N_, Problem, day_of
from coordination.entrypoints.web.labels import Labels
from coordination.entrypoints.web.session import DpoSession, caller_of, services
from coordination.entrypoints.web.templating import gettext_for, render
from coordination.services.accounts import WebSession
from coordination.services.oversight.log_search import ACTIONS, LogSearch, entries_csv

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MOST_EXPORTED = 10_000  # a CSV holds at most this many entries: narrow the period


@router.get("/dpo/access-log")
async def access_log(request: Request, session: DpoSession) -> HTMLResponse:
    scope = _scope(request, session)
    search, problems = _search(request.query_params, scope)
    below = _below(request.query_params.get("below"))
    page = None
    if not problems:
        page = await run_in_threadpool(
            services(request).oversight.access_entries, caller_of(request, session), search,
            PAGE_SIZE, below,
        )  # fmt: skip
    query = request.query_params
    return render(request, "dpo_access_log.html", {
        "nav": "dpo-log", "page": page, "query": query, "scope": scope, "problems": problems,
        "errors": {p.field: p.message for p in problems}, "options": _options(request, scope),
        "names": {"agency": {a.agency_id: a.name for a in scope["agencies"]},
                  "user": {u.user_id: u.display_name for u in scope["people"]}},
        "csv_query": urlencode([(k, v) for k, v in query.multi_items() if k != "below"]),
    }, 400 if problems else 200)  # fmt: skip


def _options(request: Request, scope: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    labels = Labels(gettext_for(request))
    return {
        "action": [(a, labels.value(a)) for a in ACTIONS],
        "agency": [(a.agency_id, a.name) for a in scope["agencies"]],
        "user": [(u.user_id, u.display_name) for u in scope["people"]],
    }


@router.get("/dpo/access-log.csv")
async def access_log_csv(request: Request, session: DpoSession) -> Response:
    search, problems = _search(request.query_params, _scope(request, session))
    if problems:
        return await access_log(request, session)
    page = await run_in_threadpool(
        services(request).oversight.access_entries, caller_of(request, session), search,
        MOST_EXPORTED,
    )  # fmt: skip
    return Response(entries_csv(page.entries), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="access-log.csv"', "Cache-Control": "no-store",
    })  # fmt: skip


def _scope(request: Request, session: WebSession) -> dict[str, Any]:
    """The controller's agencies and their staff, for the filters' lists."""
    svc, controller = services(request), session.agency.controller
    agencies = [a for a in svc.directory.list_agencies() if a.controller == controller]
    people = [u for a in agencies for u in svc.accounts.listed(a.agency_id)]
    return {"agencies": agencies, "people": people}


def _search(query: QueryParams, scope: dict[str, Any]) -> tuple[LogSearch, list[Problem]]:
    problems: list[Problem] = []
    chosen = {name: query.get(name) or None for name in ("action", "agency", "user", "case_id")}
    allowed = {"action": set(ACTIONS), "agency": {a.agency_id for a in scope["agencies"]},
               "user": {u.user_id for u in scope["people"]}}  # fmt: skip
    for name, values in allowed.items():
        if chosen[name] is not None and chosen[name] not in values:
            problems.append(Problem(name, name, N_("Choose from the list.")))
    days = {name: day_of(query, name, problems) for name in ("since", "until")}
    case_id = (chosen["case_id"] or "").strip() or None
    search = LogSearch(chosen["action"], chosen["agency"], chosen["user"], case_id,
                       days["since"], days["until"])  # fmt: skip
    return search, problems


def _below(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None
