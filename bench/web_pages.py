"""The web app's worklist and case page against the JSON API's reads of the same data,
on one server, requests alternating, so that both see the same machine."""

import re
import secrets
import time
from typing import Any

import httpx

from bench.data import all_agencies
from bench.measure import coordination_server, percentile
from coordination.bootstrap import Services
from coordination.domain.identity import Role
from projections.caseload.query import CaseloadQuery, read_page

PASSWORD = secrets.token_urlsafe(18)  # the bench's own account, made for each run
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def measure(svc: Services, env: dict[str, str], reads: int, now: Any) -> dict[str, Any]:
    agency = busiest_agency(svc, now)
    token = svc.directory.issue_token(agency, Role.CASEWORKER, "bench-web").token
    email = f"bench@{agency}.example"
    svc.accounts.add(email, agency, (Role.CASEWORKER,), "Bench", PASSWORD)
    cases = [i.case_id for i in read_page(svc.caseload, CaseloadQuery(agency, now, limit=50))[0]]
    server = coordination_server(env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as web, \
                httpx.Client(base_url=server.url, timeout=30,
                             headers={"Authorization": f"Bearer {token}"}) as api:  # fmt: skip
            sign_in(web, email)
            pairs = {
                "worklist": (lambda i: [web.get("/worklist")],
                             lambda i: [api.get("/v1/caseload?limit=25")]),
                "case_page": (lambda i: [web.get(f"/cases/{cases[i % len(cases)]}")],
                              lambda i: [api.get(f"/v1/cases/{cases[i % len(cases)]}"),
                                         api.get(f"/v1/cases/{cases[i % len(cases)]}/history")]),
            }  # fmt: skip
            return {"agency_cases_on_page": len(cases)} | {
                name: alternate(page, json, reads) for name, (page, json) in pairs.items()
            }
    finally:
        server.stop()


def busiest_agency(svc: Services, now: Any) -> str:
    """The agency with the fullest first caseload page: the worklist's worst case."""
    sizes = {a: len(read_page(svc.caseload, CaseloadQuery(a, now, limit=50))[0])
             for a in all_agencies()}  # fmt: skip
    return max(sizes, key=lambda a: sizes[a])


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> None:
    page = client.get("/")
    token = _CSRF.search(page.text)
    assert token is not None
    answer = client.post("/sign-in", data={"email": email, "password": password,
                                            "csrf_token": token[1]})  # fmt: skip
    assert answer.status_code == 303, answer.text


def alternate(page: Any, json: Any, reads: int) -> dict[str, float]:
    """p50 and p99 of each, and the page's p99 as a multiple of the JSON reads' p99."""
    times: dict[str, list[float]] = {"page": [], "json": []}
    for i in range(reads):
        for name, call in (("page", page), ("json", json)):
            began = time.perf_counter()
            for response in call(i):
                response.raise_for_status()
            times[name].append(time.perf_counter() - began)
    p99 = {k: percentile(v, 0.99) * 1000 for k, v in times.items()}
    return {"page_p50_ms": percentile(times["page"], 0.5) * 1000, "page_p99_ms": p99["page"],
            "json_p50_ms": percentile(times["json"], 0.5) * 1000, "json_p99_ms": p99["json"],
            "page_to_json_p99": p99["page"] / p99["json"]}  # fmt: skip
