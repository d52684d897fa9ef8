"""Who may see a case's consent trail, disclosure report and receipts; every look
and every refusal is itself on the access log."""

import pytest

from coordination.domain.identity import Role
from tests.e2e.conftest import Api

LEAD, MBE, OTHER = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "jobcenter-mayen-koblenz"
DISTRICT = "kreis-mayen-koblenz"
ENDPOINTS = ["consent-trail", "disclosure-report", "consents/consent-1/receipt"]


@pytest.fixture
def case_id(api: Api) -> str:
    api.agency(LEAD)
    api.agency(MBE)
    api.agency(OTHER)
    case_id = api.open_case(LEAD)
    assert api.grant(LEAD, case_id, MBE, ["case_management"], ["identity"]).status_code == 201
    return case_id


def log_of(api: Api, case_id: str, agency: str) -> list[tuple[str, dict[str, str], str | None]]:
    entries = api.services.access_log.for_case(case_id)
    return [(e.action, e.basis, e.reason) for e in entries if e.agency_id == agency]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_dpo_and_the_lead_agency_may_look_and_are_logged(
    api: Api, case_id: str, endpoint: str
) -> None:
    dpo = api.agency(DISTRICT, role=Role.DPO)
    assert api.as_(dpo, "GET", f"/v1/cases/{case_id}/{endpoint}").status_code == 200
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}/{endpoint}").status_code == 200
    assert log_of(api, case_id, DISTRICT) == [("read", {"role": "dpo"}, None)]
    assert log_of(api, case_id, LEAD) == [("read", {"role": "lead"}, None)]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_everyone_else_is_refused_and_logged(api: Api, case_id: str, endpoint: str) -> None:
    far_dpo = api.agency("stadt-leipzig", municipality="leipzig", role=Role.DPO)
    auditor = api.agency(DISTRICT, role=Role.AUDITOR)
    url = f"/v1/cases/{case_id}/{endpoint}"

    related = api.as_(MBE, "GET", url)
    unrelated = api.as_(OTHER, "GET", url)
    elsewhere = api.as_(far_dpo, "GET", url)
    wrong_role = api.as_(auditor, "GET", url)

    assert (related.status_code, related.json()["code"]) == (403, "forbidden")
    assert (unrelated.status_code, unrelated.json()["code"]) == (404, "not-found")
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not-found")
    assert (wrong_role.status_code, wrong_role.json()["code"]) == (403, "forbidden")
    assert log_of(api, case_id, MBE) == [("refused", {}, "not-lead")]
    assert log_of(api, case_id, OTHER) == [("refused", {}, "no-relation")]
    # Leipzig's DPO: a controller with no part in the district's case.
    assert log_of(api, case_id, "stadt-leipzig") == [("refused", {}, "other-controller")]
    assert log_of(api, case_id, DISTRICT) == [("refused", {}, "forbidden-role")]


def test_after_a_transfer_the_new_lead_may_look_and_the_old_one_may_not(
    api: Api, case_id: str
) -> None:
    assert api.post(LEAD, case_id, type="CaseTransferred", to_agency=MBE).status_code == 201
    assert api.as_(MBE, "GET", f"/v1/cases/{case_id}/consent-trail").status_code == 200
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}/consent-trail").status_code == 403


def test_a_case_that_does_not_exist_is_404_and_logged(api: Api) -> None:
    api.agency(LEAD)
    missing = "00000000-0000-4000-8000-000000000000"
    response = api.as_(LEAD, "GET", f"/v1/cases/{missing}/consent-trail")
    assert response.status_code == 404
    assert log_of(api, missing, LEAD) == [("refused", {}, "no-such-case")]


def test_an_unknown_consent_has_no_receipt(api: Api, case_id: str) -> None:
    response = api.as_(LEAD, "GET", f"/v1/cases/{case_id}/consents/consent-9/receipt")
    assert (response.status_code, response.json()["code"]) == (404, "not-found")


def test_a_wrong_role_on_any_case_endpoint_is_a_logged_refusal(api: Api, case_id: str) -> None:
    admin = api.agency(DISTRICT, role=Role.ADMIN)
    auditor = api.agency(DISTRICT, role=Role.AUDITOR)

    assert api.as_(admin, "GET", f"/v1/cases/{case_id}").status_code == 403
    assert api.post(auditor, case_id, type="CaseClosed", reason="x").status_code == 403
    time_travel = api.as_(LEAD, "GET", f"/v1/cases/{case_id}", params={"version": 1})
    assert time_travel.status_code == 403

    refusals = [(e.agency_id, e.role, e.reason) for e in api.services.access_log.for_case(case_id)]
    assert refusals == [
        (DISTRICT, "admin", "forbidden-role"),
        (DISTRICT, "auditor", "forbidden-role"),
        (LEAD, "caseworker", "forbidden-role"),
    ]
