"""Authorization of the admin routes (OWASP API5): only an admin token opens them.

The authorization matrix (test_authorization_matrix.py) covers the routes that name
a case; the admin routes name none, so they have their own table here. A new route
under /v1/admin fails the route walk until it has a row. Cells: `allowed` (the role's
own business, covered by tests/e2e), `403` forbidden, `401` unauthenticated.
"""

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.support import add_agency

IMPORT_BODY = b'{"case_id": "00000000-0000-4000-8000-000000000000", "events": []}\n'
ENDPOINTS = {("POST", "/v1/admin/imports"): ("application/x-ndjson", IMPORT_BODY)}
CALLERS = {"caseworker": 403, "auditor": 403, "dpo": 403, "admin": "allowed",
           "revoked admin": 401, "no token": 401}  # fmt: skip


def test_every_admin_route_has_a_row() -> None:
    app = create_app(Settings(database_url="sqlite:///never-opened.db", log_level="WARNING"))
    routes = {(m, r.path) for r in iter_route_contexts(app.routes)
              if r.path.startswith("/v1/admin") for m in r.methods or ()}  # fmt: skip
    assert routes == set(ENDPOINTS)


@pytest.fixture
def tokens(services: Services) -> dict[str, str | None]:
    found: dict[str, str | None] = {"no token": None}
    for role in Role:
        found[role.value] = add_agency(services, "kommune-leipzig", role=role)
    revoked = add_agency(services, "kommune-leipzig", role=Role.ADMIN)
    assert services.directory.revoke_token(revoked.split(".")[1])
    found["revoked admin"] = revoked
    return found


@pytest.mark.parametrize("endpoint", list(ENDPOINTS), ids=[" ".join(e) for e in ENDPOINTS])
def test_only_admins_pass(
    served: httpx.Client, tokens: dict[str, str | None], endpoint: tuple[str, str]
) -> None:
    content_type, body = ENDPOINTS[endpoint]
    for caller, expected in CALLERS.items():
        headers = {"Content-Type": content_type}
        if tokens[caller]:
            headers["Authorization"] = f"Bearer {tokens[caller]}"
        answer = served.request(*endpoint, content=body, headers=headers)
        if expected == "allowed":
            assert answer.status_code not in (401, 403), (caller, answer.text)
            continue
        assert answer.status_code == expected, (caller, answer.text)
        assert answer.json()["code"] == {401: "unauthenticated", 403: "forbidden"}[expected]
