"""The auditor's workspace: the register of the municipality's cases with samples, and
a case replayed version by version. Every read goes through the services the HTTP API
uses, and so onto the access log."""

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from consent.record import LOCAL_TIME, end_of_validity
from coordination.application.errors import CaseNotFound
from coordination.domain.errors import DomainError
from coordination.entrypoints.web.forms import N_, Problem, day_of
from coordination.entrypoints.web.replay import changes, lines
from coordination.entrypoints.web.session import AuditorSession, caller_of, services
from coordination.entrypoints.web.statistics import MONTH, statistics_charts
from coordination.entrypoints.web.templating import gettext_for, render
from coordination.services.accounts import WebSession
from coordination.services.case_register import MOST_SAMPLED, SEED_LIMIT, CaseSearch
from coordination.services.caseload import CaseloadRequest
from coordination.services.cases import SeenEvent
from coordination.services.statistics import BadMonthRange, StatisticsRequest, statistics_csv
from projections.caseload.query import BadCursor

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
STATUSES = ("open", "closed")


@router.get("/audit/cases")
async def case_register(request: Request, session: AuditorSession) -> HTMLResponse:
    query = request.query_params
    agencies = _agencies(request, session)
    search, problems = _search(query, {a.agency_id for a in agencies})
    sample, seed = _number(query, "sample", 1, MOST_SAMPLED, problems), None
    if query.get("seed"):
        seed = _number(query, "seed", 0, SEED_LIMIT - 1, problems)
    found: dict[str, Any] = {"entries": [], "next_cursor": None, "drawn": None}
    if not problems:
        found = await run_in_threadpool(_read, request, session, search, sample, seed, query)
    return render(request, "audit_cases.html", {
        "nav": "audit-cases", "agencies": agencies, "search": search, "query": query,
        "agency_names": {a.agency_id: a.name for a in services(request).directory.list_agencies()},
        "problems": problems, "errors": {p.field: p.message for p in problems},
        "statuses": STATUSES, "most": MOST_SAMPLED, **found,
    }, 400 if problems else 200)  # fmt: skip


def _read(
    request: Request, session: WebSession, search: CaseSearch, sample: int | None,
    seed: int | None, query: QueryParams,
) -> dict[str, Any]:  # fmt: skip
    register, caller = services(request).register, caller_of(request, session)
    if sample is not None:
        drawn = register.sample(caller, search, sample, seed)
        return {"entries": drawn.entries, "next_cursor": None, "drawn": drawn}
    try:
        page = register.find(caller, search, PAGE_SIZE, query.get("cursor"))
    except BadCursor:
        page = register.find(caller, search, PAGE_SIZE)
    return {"entries": page.entries, "next_cursor": page.next_cursor, "drawn": None}


def _agencies(request: Request, session: WebSession) -> list[Any]:
    municipality = session.agency.municipality
    return [a for a in services(request).directory.list_agencies()
            if a.municipality == municipality]  # fmt: skip


def _search(query: QueryParams, agencies: set[str]) -> tuple[CaseSearch, list[Problem]]:
    problems: list[Problem] = []
    status = query.get("status") or None
    if status is not None and status not in STATUSES:
        problems.append(Problem("status", "status", N_("Choose a status from the list.")))
    agency = query.get("agency") or None
    if agency is not None and agency not in agencies:
        problems.append(Problem("agency", "agency", N_("Choose an agency from the list.")))
    first, last = day_of(query, "opened_from", problems), day_of(query, "opened_to", problems)
    if first and last and last < first:
        problems.append(Problem("opened_to", "opened_to", N_("The last day is before the first.")))
    known = status if status in STATUSES else None
    return CaseSearch(known, agency if agency in agencies else None, first, last), problems


def _number(
    query: QueryParams, name: str, low: int, high: int, problems: list[Problem]
) -> int | None:
    text = query.get(name) or ""
    if not text:
        return None
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    problems.append(Problem(name, name, N_("Enter a whole number in the range allowed.")))
    return None


@router.get("/audit/caseload")
async def caseload_as_it_stood(request: Request, session: AuditorSession) -> HTMLResponse:
    """An agency's caseload as it stood at the end of a day, rebuilt from the events."""
    query, agencies = request.query_params, _agencies(request, session)
    problems: list[Problem] = []
    agency = query.get("agency") or ""
    if agency and agency not in {a.agency_id for a in agencies}:
        problems.append(Problem("agency", "agency", N_("Choose an agency from the list.")))
    day = day_of(query, "day", problems)
    svc = services(request)
    today = svc.app.clock().astimezone(LOCAL_TIME).date()
    if day is not None and day >= today:
        problems.append(Problem("day", "day", N_("Choose a day before today.")))
    items = None
    if agency and day is not None and not problems:
        asked = CaseloadRequest(agency=agency, limit=PAGE_SIZE, as_of=_day_end(day))
        page = await run_in_threadpool(svc.caseloads.read, caller_of(request, session), asked)
        items = page.items
    return render(request, "audit_caseload.html", {
        "nav": "audit-caseload", "agencies": agencies, "query": query, "items": items,
        "problems": problems, "errors": {p.field: p.message for p in problems},
    }, 400 if problems else 200)  # fmt: skip


def _day_end(day: date) -> datetime:
    """The last instant of a German calendar day (the first of the next, exclusive)."""
    return end_of_validity(day) - timedelta(microseconds=1)


@router.get("/audit/statistics")
async def statistics(request: Request, session: AuditorSession) -> Response:
    """The municipality's figures as charts, each with its table; `?format=csv` the same
    figures as the API's CSV."""
    query = request.query_params
    problems: list[Problem] = []
    months = {name: query.get(name) or None for name in ("from", "to")}
    for name, month in months.items():
        if month is not None and not MONTH.match(month):
            problems.append(Problem(name, name, N_("Enter a month as YYYY-MM.")))
    report = None
    if not problems:
        asked = StatisticsRequest(None, months["from"], months["to"])
        try:
            report = await run_in_threadpool(
                services(request).statistics.read, caller_of(request, session), asked
            )
        except BadMonthRange:
            problems.append(Problem("from", "from", N_("The first month is after the last.")))
    if report is not None and query.get("format") == "csv":
        name = f"statistics-{report.municipality}-{report.first}-{report.last}.csv"
        return Response(statistics_csv(report), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        })  # fmt: skip
    gettext = gettext_for(request)
    return render(request, "audit_statistics.html", {
        "nav": "audit-statistics", "report": report, "query": query, "problems": problems,
        "errors": {p.field: p.message for p in problems},
        "charts": statistics_charts(report, gettext) if report else [],
    }, 400 if problems else 200)  # fmt: skip


@router.get("/audit/cases/{case_id}")
async def replay(request: Request, case_id: str, session: AuditorSession) -> HTMLResponse:
    query = request.query_params
    try:
        uuid = UUID(case_id)
        shown = await run_in_threadpool(_replay, request, session, uuid, query)
    except (ValueError, CaseNotFound, DomainError):
        return render(request, "refused.html", {
            "nav": "audit-cases", "heading": N_("Case not found"),
            "text": N_("There is no such case in your municipality, or not at that time."),
        }, 404)  # fmt: skip
    return render(request, "audit_replay.html", {"nav": "audit-cases", **shown})


def _replay(
    request: Request, session: WebSession, case_id: UUID, query: QueryParams
) -> dict[str, Any]:
    svc, caller = services(request), caller_of(request, session)
    replayed = svc.cases.replay(
        caller, case_id, _digits(query, "version"), _day_ended(query), _digits(query, "against")
    )
    history, now = replayed.history, lines(replayed.view.data)
    names = svc.accounts.names([s.event.user for s in history if s.event.user])
    agencies = {a.agency_id: a.name for a in svc.directory.list_agencies()}
    return {
        "case": replayed.case, "view": replayed.view, "history": history,
        "version": replayed.version, "latest": replayed.latest,
        "lines": now, "changes": changes(lines(replayed.before), now), "names": names,
        "agencies": agencies, "event": _event_at(history, replayed.version),
        "day": query.get("day", ""), "against": replayed.against,
    }  # fmt: skip


def _digits(query: QueryParams, name: str) -> int | None:
    text = query.get(name) or ""
    return int(text) if text.isdigit() else None


def _day_ended(query: QueryParams) -> datetime | None:
    """The end of the day asked for, unless a version is asked for, which comes first."""
    if _digits(query, "version") is not None:
        return None
    try:
        return _day_end(date.fromisoformat(query.get("day") or ""))
    except ValueError:
        return None


def _event_at(history: list[SeenEvent], version: int) -> SeenEvent | None:
    return next((s for s in history if s.event.originator_version == version), None)
