"""The auditor's replay of a long case and the DPO's access-log page over a large log,
each against a JSON read on the same server, requests alternating.

The replay is timed at the middle version of the long case against the API's reads
of the same (the case at that version, and the history). The access-log page has no
JSON twin: it is timed against `/healthz`, the server's floor, and its target is
absolute."""

import secrets
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx

from bench.data import MUNICIPALITIES, agency_id
from bench.measure import coordination_server
from bench.web_pages import alternate, sign_in
from coordination.adapters.timestamps import stamp
from coordination.bootstrap import Services
from coordination.domain.identity import Agency, AgencyKind, Role

PASSWORD = secrets.token_urlsafe(18)
_FILL = {
    "postgres": "INSERT INTO {p}access_log (at, agency_id, token_label, role, request_id,"
    " case_id, action, categories, basis, reason) SELECT %(at)s, %(a)s, 'bench', 'caseworker',"
    " 'r-' || g, NULL, 'read', '[\"identity\"]', '{}', NULL FROM generate_series(1, %(n)s) g",
    "sqlite": "INSERT INTO {p}access_log (at, agency_id, token_label, role, request_id,"
    " case_id, action, categories, basis, reason) WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL"
    " SELECT x + 1 FROM g WHERE x < %(n)s) SELECT %(at)s, %(a)s, 'bench', 'caseworker',"
    " 'r-' || x, NULL, 'read', '[\"identity\"]', '{}', NULL FROM g",
}


def measure(
    svc: Services, env: dict[str, str], reads: int, case_id: UUID, log_rows: int, now: datetime
) -> dict[str, Any]:
    municipality = MUNICIPALITIES[0]
    auditor, dpo = _people(svc, municipality)
    token = svc.directory.issue_token(auditor, Role.AUDITOR, "bench-audit").token
    _fill_log(svc, municipality, log_rows, now)
    middle = max(1, svc.app.get_case(case_id).version // 2)
    server = coordination_server(env | {"COORDINATION_REQUIRE_2FA_FOR": ""})
    try:
        with httpx.Client(base_url=server.url, timeout=60) as auditing, \
                httpx.Client(base_url=server.url, timeout=60) as protecting, \
                httpx.Client(base_url=server.url, timeout=60,
                             headers={"Authorization": f"Bearer {token}"}) as api:  # fmt: skip
            sign_in(auditing, f"bench@{auditor}.example", PASSWORD)
            sign_in(protecting, f"bench@{dpo}.example", PASSWORD)
            case = f"/cases/{case_id}"
            return {"log_rows": log_rows, "replay_version": middle} | {
                "replay": alternate(
                    lambda i: [auditing.get(f"/audit{case}?version={middle}")],
                    lambda i: [api.get(f"/v1{case}?version={middle}"),
                               api.get(f"/v1{case}/history")], reads),
                "access_log": alternate(
                    lambda i: [protecting.get("/dpo/access-log")],
                    lambda i: [protecting.get("/healthz")], reads),
            }  # fmt: skip
    finally:
        server.stop()


def _people(svc: Services, municipality: str) -> tuple[str, str]:
    """An auditor's and a DPO's agency of the municipality, each with an account."""
    found = []
    for kind, role in (("audit", Role.AUDITOR), ("dpo", Role.DPO)):
        agency = agency_id(kind, municipality)
        if svc.directory.get_agency(agency) is None:
            svc.directory.add_agency(Agency(agency, agency.title(), AgencyKind.OTHER, municipality))
        svc.accounts.add(f"bench@{agency}.example", agency, (role,), "Bench", PASSWORD)
        found.append(agency)
    return found[0], found[1]


def _fill_log(svc: Services, municipality: str, rows: int, now: datetime) -> None:
    """`rows` entries of reads by the municipality's agencies: the DPO's log to page."""
    db = svc.app.db
    agencies = [agency_id(k, municipality) for k in ("abh", "mbe", "jobcenter")]
    for agency in agencies:
        db.execute(_FILL[db.dialect], {"at": stamp(now), "a": agency, "n": rows // len(agencies)})
