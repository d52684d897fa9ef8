"""Every kind of response carries the security headers; HSTS only over TLS."""

import httpx
import pytest
from fastapi import FastAPI

from coordination.entrypoints.api.security_headers import API_POLICY, DOCS_POLICY, HSTS
from tests.e2e.conftest import Api

LEAD = "abh-mayen-koblenz"
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)  # a 500, as a bug would give one
    return app


def assert_secured(response: httpx.Response, policy: str = API_POLICY) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert response.headers["content-security-policy"] == policy
    assert "strict-transport-security" not in response.headers  # plain HTTP


def test_every_kind_of_response_carries_the_security_headers(api: Api) -> None:
    api.agency(LEAD)
    case_id = api.open_case(LEAD)
    assert api.opened is not None
    bearer = {"Authorization": f"Bearer {api.tokens[LEAD]}"}
    c = api.client
    responses = {
        "201 write": api.opened,
        "200 read": api.as_(LEAD, "GET", f"/v1/cases/{case_id}"),
        "401 problem": c.get("/v1/caseload"),
        "404 problem": api.as_(LEAD, "GET", "/v1/cases/not-a-case"),
        "404 no route": c.get("/nowhere"),
        "405 problem": c.delete("/v1/caseload", headers=bearer),
        "413 problem": api.post(LEAD, case_id, type="CaseClosed", reason="x" * 300_000),
        "422 problem": api.as_(LEAD, "GET", "/v1/caseload?limit=201"),
        "500 problem": c.get("/boom"),
        "healthz": c.get("/healthz"),
        "readyz": c.get("/readyz"),
        "metrics": c.get("/metrics"),
        "openapi": c.get("/openapi.json"),
    }
    print("security headers on:", {k: r.status_code for k, r in responses.items()})
    for kind, response in responses.items():
        expected = int(kind[:3]) if kind[0].isdigit() else 200
        assert response.status_code == expected, (kind, response.text)
        assert_secured(response)
    assert responses["500 problem"].json()["code"] == "internal-error"


def test_the_api_docs_get_a_policy_that_lets_them_load_and_nothing_frame_them(
    served: httpx.Client,
) -> None:
    for path in ("/docs", "/redoc"):
        response = served.get(path)
        assert response.status_code == 200
        assert_secured(response, DOCS_POLICY)
        assert "frame-ancestors 'none'" in DOCS_POLICY


@pytest.mark.parametrize("path", ["/healthz", "/boom", "/v1/caseload"])
def test_hsts_is_sent_behind_a_tls_proxy(served: httpx.Client, path: str) -> None:
    # uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (forwarded_allow_ips' default).
    response = served.get(path, headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"] == HSTS
    assert response.headers["x-content-type-options"] == "nosniff"
