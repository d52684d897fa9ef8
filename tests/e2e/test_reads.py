"""Reads by role: caseworkers within consent, auditors whole, DPOs metadata only."""

from datetime import timedelta

import pytest

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.people import PERSON
from tests.support import FakeClock

LEAD, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
AUDITOR_AGENCY = "kreis-mayen-koblenz"


@pytest.fixture
def case_id(api: Api) -> str:
    api.agency(LEAD)
    api.agency(MBE)
    return api.open_case(LEAD)


def test_a_read_answers_an_etag_of_the_current_version(api: Api, case_id: str) -> None:
    response = api.as_(LEAD, "GET", f"/v1/cases/{case_id}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.json()["lead_agency"] == LEAD


def test_a_consent_recipient_reads_only_the_categories_it_covers(api: Api, case_id: str) -> None:
    assert api.grant(LEAD, case_id, MBE, ["counselling"], ["contact"]).status_code == 201
    seen = api.as_(MBE, "GET", f"/v1/cases/{case_id}").json()
    assert seen["person"] == {"phone": PERSON["phone"], "email": PERSON["email"]}
    assert {"identity", "residence"} <= set(seen["withheld"])
    opening = api.as_(MBE, "GET", f"/v1/cases/{case_id}/history").json()["events"][0]
    assert opening["data"]["person"] == {"phone": PERSON["phone"], "email": PERSON["email"]}
    assert set(opening["withheld"]) == {"identity", "residence"}


def test_auditors_read_whole_histories_of_their_municipality(api: Api, case_id: str) -> None:
    auditor = api.agency(AUDITOR_AGENCY, role=Role.AUDITOR)
    history = api.as_(auditor, "GET", f"/v1/cases/{case_id}/history")
    assert history.status_code == 200
    assert history.json()["events"][0]["data"]["person"]["family_name"] == "Haddad"
    log = api.services.access_log.for_case(case_id)
    assert [(e.agency_id, e.action, e.basis) for e in log] == [
        (AUDITOR_AGENCY, "read", {"role": "auditor"})
    ]


def test_auditors_of_another_municipality_get_404(api: Api, case_id: str) -> None:
    auditor = api.agency("stadt-leipzig", municipality="leipzig", role=Role.AUDITOR)
    assert api.as_(auditor, "GET", f"/v1/cases/{case_id}").status_code == 404


def test_auditors_read_a_case_as_it_was(api: Api, case_id: str, clock: FakeClock) -> None:
    auditor = api.agency(AUDITOR_AGENCY, role=Role.AUDITOR)
    before_consent = clock.now + timedelta(minutes=30)
    clock.advance(hours=1)
    assert api.grant(LEAD, case_id, MBE, ["case_management"], ["identity"]).status_code == 201
    clock.advance(hours=1)
    assert api.post(LEAD, case_id, type="CaseTransferred", to_agency=MBE).status_code == 201
    url = f"/v1/cases/{case_id}"

    now = api.as_(auditor, "GET", url).json()
    by_version = api.as_(auditor, "GET", url, params={"version": 2}).json()
    by_time = api.as_(auditor, "GET", url, params={"as_of": before_consent.isoformat()}).json()
    cut = api.as_(auditor, "GET", f"{url}/history",
                  params={"as_of": before_consent.isoformat()}).json()  # fmt: skip

    assert (now["version"], now["lead_agency"]) == (3, MBE)
    assert (by_version["version"], by_version["lead_agency"]) == (2, LEAD)
    assert (by_time["version"], by_time["consents"]) == (1, [])
    assert [e["type"] for e in cut["events"]] == ["CaseOpened"]


def test_a_time_without_offset_is_utc_and_unknown_versions_are_404(api: Api, case_id: str) -> None:
    auditor = api.agency(AUDITOR_AGENCY, role=Role.AUDITOR)
    url = f"/v1/cases/{case_id}"
    naive = api.as_(auditor, "GET", url, params={"as_of": "2030-01-01T00:00:00"})
    assert naive.status_code == 200
    assert naive.json()["version"] == 1
    assert api.as_(auditor, "GET", url, params={"version": 2}).status_code == 404
    assert api.as_(auditor, "GET", url, params={"as_of": "2001-01-01T00:00:00Z"}).status_code == 404


def test_only_auditors_may_read_the_past(api: Api, case_id: str) -> None:
    response = api.as_(LEAD, "GET", f"/v1/cases/{case_id}", params={"version": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_data_protection_officers_see_metadata_but_no_payloads(api: Api, case_id: str) -> None:
    assert api.grant(LEAD, case_id, MBE, ["counselling"], ["identity"]).status_code == 201
    dpo = api.agency(AUDITOR_AGENCY, role=Role.DPO)
    events = api.as_(dpo, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    assert events[0]["data"] is None
    assert events[1]["data"]["recipients"] == [MBE]
    assert "Haddad" not in str(events)


def test_instants_are_written_in_utc_and_days_as_dates(
    api: Api, case_id: str, clock: FakeClock
) -> None:
    """Every answer writes an instant the same way, RFC 3339 in UTC, and a day as one."""
    auditor = api.agency(AUDITOR_AGENCY, role=Role.AUDITOR)
    opened = clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    state = api.get(auditor, f"/v1/cases/{case_id}")
    [event] = api.get(auditor, f"/v1/cases/{case_id}/history")["events"]
    assert (state["opened_at"], state["arrived_on"]) == (opened, "2026-08-14")
    assert (event["recorded_at"], event["data"]["arrived_on"]) == (opened, "2026-08-14")
    position = api.opened.headers["X-Event-Position"]
    [item] = api.get(LEAD, "/v1/caseload", params={"min_position": position})["items"]
    assert item["last_event_at"] == opened
