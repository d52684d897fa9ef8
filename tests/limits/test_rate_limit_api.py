"""The per-token rate limit over HTTP: 429 rate-limited with Retry-After, nothing recorded."""

import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.support import add_agency

LEAD = "abh-mayen-koblenz"
BURST = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # One request a minute after a burst of three: nothing refills during a test.
    return settings.model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": BURST})


def test_a_token_over_its_allowance_gets_429_with_retry_after_and_nothing_is_recorded(
    api: Api, services: Services
) -> None:
    api.agency(LEAD)
    case_id = api.open_case(LEAD)  # 1
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").status_code == 200  # 2
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").status_code == 200  # 3

    refused = api.post(LEAD, case_id, type="CaseClosed", reason="over the limit")
    print(f"rate limit: {BURST} requests passed, the next answered {refused.status_code}, "
          f"Retry-After {refused.headers.get('retry-after')}")  # fmt: skip
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate-limited"
    assert refused.json()["status"] == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-content-type-options"] == "nosniff"

    # Another token of the same agency has its own allowance, and sees nothing recorded.
    other = add_agency(services, LEAD, role=Role.CASEWORKER)
    case = api.client.get(f"/v1/cases/{case_id}", headers={"Authorization": f"Bearer {other}"})
    assert case.status_code == 200
    assert case.json()["version"] == 1
    assert case.json()["status"] == "open"


def test_a_throttled_token_is_still_told_401_for_a_bad_token(api: Api) -> None:
    api.agency(LEAD)
    for _ in range(BURST):
        api.as_(LEAD, "GET", "/v1/caseload")
    assert api.as_(LEAD, "GET", "/v1/caseload").status_code == 429
    token_id = api.tokens[LEAD].split(".")[1]
    wrong = {"Authorization": f"Bearer cst.{token_id}.not-the-secret"}
    assert api.client.get("/v1/caseload", headers=wrong).status_code == 401
    assert api.client.get("/v1/caseload").status_code == 401


def test_operations_endpoints_are_not_limited(api: Api) -> None:
    statuses = {api.client.get("/healthz").status_code for _ in range(BURST * 3)}
    assert statuses == {200}
