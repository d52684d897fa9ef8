"""Every page of the auditor's and the DPO's workspaces, asked by each role it is not
for (403), and by its own role from another municipality (404 for a case, nothing of
the person on a page without one). The routes are read from the app, so a new page is
checked without being listed here."""

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind, Role
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.e2e.web import PASSWORD, hidden, sign_in, without_second_factor
from tests.support import add_agency

ABH, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
WORKSPACES = {"/audit": Role.AUDITOR, "/dpo": Role.DPO}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return without_second_factor(database_url)


def workspace_routes(app: FastAPI) -> list[tuple[str, str, Role]]:
    found = []
    for route in iter_route_contexts(app.routes):
        for prefix, role in WORKSPACES.items():
            if route.path.startswith(prefix):
                found += [(method, route.path, role) for method in sorted(route.methods or ())]
    return found


@pytest.fixture
def people(served: httpx.Client, services: Services) -> Iterator[dict[str, httpx.Client]]:
    """Signed-in clients: a caseworker, and an auditor and a DPO of each municipality."""
    accounts = {"caseworker": (ABH, Role.CASEWORKER, "mayen-koblenz")}
    for role in (Role.AUDITOR, Role.DPO):
        accounts[role.value] = (f"kreis-mk-{role.value}", role, "mayen-koblenz")
        accounts[f"other {role.value}"] = (f"leipzig-{role.value}", role, "leipzig")
    clients = {}
    for who, (agency, role, municipality) in accounts.items():
        add_agency(services, agency, municipality=municipality, role=role)
        email = f"{who.replace(' ', '-')}@example.org"
        services.accounts.add(email, agency, (role,), who, PASSWORD)
        client = httpx.Client(base_url=str(served.base_url), timeout=30)
        sign_in(client, email)
        clients[who] = client
    yield clients
    for client in clients.values():
        client.close()


def ask(client: httpx.Client, method: str, path: str) -> httpx.Response:
    if method == "GET":
        return client.get(path)
    csrf = hidden(client.get("/start").text).get("csrf_token")
    return client.request(method, path, data={"csrf_token": csrf or ""})


def test_every_workspace_page_is_kept_to_its_role_and_scope(
    app: FastAPI, api: Api, people: dict[str, httpx.Client]
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE)
    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, MBE, ["counselling"], ["identity"])
    routes = workspace_routes(app)
    assert len(routes) >= 12, routes

    for method, template, role in routes:
        path = template.replace("{case_id}", case_id).replace("{consent_id}", "consent-1")
        for who in ("caseworker", *(r.value for r in WORKSPACES.values() if r != role)):
            answer = ask(people[who], method, path)
            assert answer.status_code == 403, (who, method, path)
        stranger = ask(people[f"other {role.value}"], method, path)
        if "{case_id}" in template:
            assert stranger.status_code == 404, (method, path, stranger.status_code)
        # Pages without a case show the stranger's own entries (its refusals above among
        # them), never the person.
        assert not re.search(r"Amina|Haddad", stranger.text), (method, path)
