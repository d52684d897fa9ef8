"""Authentication, roles, relation, and the contract's problem+json codes."""

import pytest

from coordination.domain.identity import Role
from tests.e2e.conftest import Api

LEAD, OTHER = "abh-mayen-koblenz", "jobcenter-mayen-koblenz"


@pytest.fixture
def case_id(api: Api) -> str:
    api.agency(LEAD)
    return api.open_case(LEAD)


def problem_code(response: object) -> str:
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == response.status_code  # type: ignore[attr-defined]
    return str(body["code"])


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nonsense", "Basic abc", "Bearer cst.000000000000.wrong"]
)
def test_requests_without_a_valid_token_are_401(
    api: Api, case_id: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.get(f"/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 401
    assert problem_code(response) == "unauthenticated"


def test_a_revoked_token_stops_working_on_the_next_request(api: Api, case_id: str) -> None:
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").status_code == 200
    token_id = api.tokens[LEAD].split(".")[1]
    assert api.services.directory.revoke_token(token_id)
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").status_code == 401


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DPO, Role.ADMIN])
def test_only_caseworkers_post_events(api: Api, case_id: str, role: Role) -> None:
    who = api.agency(LEAD, role=role)
    response = api.post(who, case_id, type="CaseClosed", reason="test")
    assert response.status_code == 403
    assert problem_code(response) == "forbidden"


def test_admins_do_not_read_cases(api: Api, case_id: str) -> None:
    who = api.agency(LEAD, role=Role.ADMIN)
    assert api.as_(who, "GET", f"/v1/cases/{case_id}").status_code == 403


def test_an_unrelated_agency_gets_404_for_reads_and_writes(api: Api, case_id: str) -> None:
    api.agency(OTHER)
    for response in (
        api.as_(OTHER, "GET", f"/v1/cases/{case_id}"),
        api.as_(OTHER, "GET", f"/v1/cases/{case_id}/history"),
        api.post(OTHER, case_id, type="QualificationRecorded", title="x", country="SY"),
    ):
        assert response.status_code == 404
        assert problem_code(response) == "not-found"
        assert "Haddad" not in response.text
    refused = [e for e in api.services.access_log.for_case(case_id) if e.agency_id == OTHER]
    assert [e.reason for e in refused] == ["no-relation"] * 3


@pytest.mark.parametrize("case_ref", ["00000000-0000-4000-8000-000000000000", "not-a-uuid"])
def test_unknown_cases_are_404(api: Api, case_ref: str) -> None:
    api.agency(LEAD)
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_ref}").status_code == 404


def test_malformed_json_and_wrong_content_type_are_400(api: Api, case_id: str) -> None:
    url = f"/v1/cases/{case_id}/events"
    bad_json = api.as_(LEAD, "POST", url, content=b"{nope",
                       headers={"content-type": "application/json"})  # fmt: skip
    assert bad_json.status_code == 400
    assert problem_code(bad_json) == "bad-request"
    form = api.as_(LEAD, "POST", url, content=b"type=CaseClosed",
                   headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert form.status_code == 400


def test_bodies_that_do_not_fit_the_schema_are_422_with_errors(api: Api, case_id: str) -> None:
    for body in (
        {"type": "CaseClosed"},
        {"type": "CaseClosed", "reason": "x", "unexpected": 1},
        {"type": "NoSuchEvent"},
        {"type": "ReferralSent", "to_agency": "x1", "purpose": "fun", "categories": ["identity"]},
    ):
        response = api.post(LEAD, case_id, **body)
        assert response.status_code == 422, body
        assert problem_code(response) == "validation-error"
        assert response.json()["errors"]


def test_a_body_over_the_limit_is_413_and_records_nothing(api: Api, case_id: str) -> None:
    response = api.post(LEAD, case_id, type="CaseClosed", reason="x" * 300_000)
    assert response.status_code == 413
    assert problem_code(response) == "payload-too-large"
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").json()["version"] == 1


def test_errors_never_carry_a_stack_trace(api: Api, case_id: str) -> None:
    response = api.post(LEAD, case_id, type="MilestoneMet", agreement_id="agreement-9",
                        milestone_id="milestone-1", met_on="2026-10-01")  # fmt: skip
    assert response.status_code == 422
    assert problem_code(response) == "invalid-event"
    assert "Traceback" not in response.text
