"""What the fuzzer (and the probes it led to) found: each answered 5xx to bad input."""

import base64
import json

import httpx

from coordination.domain.identity import Role
from tests.fuzz.conftest import LEAD, RECIPIENT, World


def call(world: World, role: Role, method: str, url: str, **kwargs: object) -> httpx.Response:
    """One request on a fresh connection (a 5xx closes uvicorn's connection)."""
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    return httpx.request(method, world.base_url + url, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def code(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["code"])


def test_statistics_up_to_the_first_month_of_year_zero(world: World) -> None:
    # The default range reached back before 0000-01, which has no YYYY-MM name (500).
    response = call(world, Role.AUDITOR, "GET", "/v1/statistics?to=0000-01")
    assert response.status_code == 200, response.text
    assert response.json()["from"] == "0000-01"


def test_a_caseload_agency_that_is_no_slug_is_a_validation_error(world: World) -> None:
    # A NUL reached PostgreSQL as a text parameter (500).
    for agency in ("a%00b", "Not-A-Slug"):
        response = call(world, Role.AUDITOR, "GET", f"/v1/caseload?agency={agency}")
        assert response.status_code == 422, agency
        assert code(response) == "validation-error"


def test_a_forged_cursor_with_a_nul_is_a_bad_request(world: World) -> None:
    key = {"b": 0, "o": "\x00", "c": "\x00", "t": "2026-09-01T09:00:00+00:00"}
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    response = call(world, Role.CASEWORKER, "GET", f"/v1/caseload?cursor={cursor}")
    assert response.status_code == 400
    assert code(response) == "bad-request"


def test_an_erasure_whose_legal_basis_holds_a_nul_is_refused_and_erases_nothing(
    world: World,
) -> None:
    # The erasure was recorded, then its access-log entry failed on PostgreSQL: 503.
    body = {"reason": "asked", "legal_basis": "Art. 17\x00 GDPR"}
    response = call(world, Role.DPO, "POST", f"/v1/cases/{world.case_id}/erasure", json=body)
    assert response.status_code == 422
    assert code(response) == "validation-error"
    case = call(world, Role.CASEWORKER, "GET", f"/v1/cases/{world.case_id}")
    assert case.json()["erased"] is False


def test_a_version_beyond_the_stores_integers_is_a_validation_error(world: World) -> None:
    for version in (2**63, 2**70):
        url = f"/v1/cases/{world.case_id}?version={version}"
        response = call(world, Role.AUDITOR, "GET", url)
        assert response.status_code == 422, (version, response.text)


AT_THE_ENDS_OF_THE_CALENDAR = [
    (Role.AUDITOR, "/v1/caseload?agency=abh-mayen-koblenz&as_of=0001-01-01T00:00:00%2B14:00"),
    (Role.AUDITOR, "/v1/cases/{case_id}?as_of=9999-12-31T23:59:59-14:00"),
    (Role.AUDITOR, "/v1/cases/{case_id}/history?as_of=0001-01-01T00:00:00"),
    (Role.DPO, "/v1/dpo/overview?until=0001-01-01"),
    (Role.DPO, "/v1/dpo/overview?since=9999-12-31&until=9999-12-31"),
    (Role.DPO, "/v1/dpo/overview?since=0001-01-01"),
]


def test_times_at_the_ends_of_the_calendar_are_validation_errors(world: World) -> None:
    # Converting them to UTC or a day on overflowed (500).
    for role, url in AT_THE_ENDS_OF_THE_CALENDAR:
        response = call(world, role, "GET", url.format(case_id=world.case_id))
        assert response.status_code == 422, (url, response.text)
        assert code(response) == "validation-error"


def test_a_consent_valid_until_the_end_of_time_is_refused_and_breaks_no_reader(
    world: World,
) -> None:
    # It was recorded, answered 500, then stopped the caseload projection and every
    # consent trail and receipt of the case.
    url = f"/v1/cases/{world.case_id}"
    consent = {"type": "ConsentGranted", "recipients": [RECIPIENT], "purposes": ["counselling"],
               "categories": ["identity"], "given_on": "2026-09-01", "valid_until": "9999-12-31",
               "evidence": {"method": "written"}}  # fmt: skip
    milestone = {"title": "B1", "due_on": "9999-12-31", "responsible_agency": LEAD}
    agreement = {"type": "AgreementConcluded", "signed_on": "2026-09-01",
                 "milestones": [milestone]}  # fmt: skip
    old = {"type": "QualificationRecorded", "title": "t", "country": "SY",
           "obtained_on": "0001-01-01"}  # fmt: skip
    for event in (consent, agreement, old):
        response = call(world, Role.CASEWORKER, "POST", f"{url}/events", json=event)
        assert response.status_code == 422, response.text
    assert call(world, Role.CASEWORKER, "GET", url).json()["version"] == 3
    assert call(world, Role.DPO, "GET", f"{url}/consent-trail").status_code == 200
    assert httpx.get(world.base_url + "/readyz").status_code == 200
