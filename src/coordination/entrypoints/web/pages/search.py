"""Find a person among the cases this agency may see, by name and date of birth, or by
a file number of the agency's own (ADR 0062).

The form is sent by POST: what is searched for never appears in an address, a log
line or a browser's history (ADR 0047).
"""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from coordination.domain.values import ReferenceScheme
from coordination.entrypoints.web.forms import N_, Problem
from coordination.entrypoints.web.session import (
    CaseworkerSession,
    caller_of,
    checked_form,
    services,
)
from coordination.entrypoints.web.templating import render
from coordination.services.person_search import Found

router = APIRouter(include_in_schema=False)
FIELDS = ("given_name", "family_name", "date_of_birth")


@router.get("/search")
def search_page(request: Request, session: CaseworkerSession) -> HTMLResponse:
    return _page(request, {}, [], None)


@router.post("/search")
async def search(request: Request, session: CaseworkerSession) -> HTMLResponse:
    form = await checked_form(request, session)
    values = {k: str(form.get(k) or "").strip()[:200] for k in FIELDS}
    problems = _problems(values)
    if problems:
        return _page(request, values, problems, None, 400)
    svc, caller = services(request), caller_of(request, session)
    found = await run_in_threadpool(
        svc.people.search, caller, values["given_name"], values["family_name"],
        date.fromisoformat(values["date_of_birth"]),
    )  # fmt: skip
    return _page(request, values, [], found)


@router.post("/search/reference")
async def search_by_reference(request: Request, session: CaseworkerSession) -> HTMLResponse:
    form = await checked_form(request, session)
    values = {k: str(form.get(k) or "").strip()[:200] for k in ("scheme", "reference")}
    problems = []
    if values["scheme"] not in set(ReferenceScheme):
        problems.append(Problem("scheme", "enum", N_("Please choose one of the options.")))
    if not values["reference"]:
        problems.append(Problem("reference", "missing", N_("Please fill in this field.")))
    if problems:
        return _page(request, values, problems, None, 400)
    svc, caller = services(request), caller_of(request, session)
    found = await run_in_threadpool(
        svc.people.by_reference, caller, values["scheme"], values["reference"]
    )
    return _page(request, values, [], found)


def _problems(values: dict[str, str]) -> list[Problem]:
    found = []
    if not values["family_name"]:
        found.append(Problem("family_name", "missing", N_("Please fill in this field.")))
    try:
        date.fromisoformat(values["date_of_birth"])
    except ValueError:
        found.append(Problem("date_of_birth", "date_parsing", N_("Please enter a date.")))
    return found


def _page(
    request: Request, values: dict[str, str], problems: list[Problem],
    found: list[Found] | None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    agencies = {a.agency_id: a.name for a in services(request).directory.list_agencies()}
    return render(request, "search.html", {
        "nav": "search", "values": values, "problems": problems, "found": found,
        "errors": {p.field: p.message for p in problems}, "agency_names": agencies,
        "schemes": list(ReferenceScheme),
    }, status)  # fmt: skip
