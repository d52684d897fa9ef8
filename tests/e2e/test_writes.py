"""Writes: ETag and If-Match, idempotency keys, and concurrent writers."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from pydantic import TypeAdapter

from coordination.contract.requests import EventIn
from coordination.domain.identity import Role
from coordination.entrypoints.api.convert import idempotency_request
from tests.e2e.conftest import Api

LEAD, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
QUALIFICATION = {"type": "QualificationRecorded", "title": "Elektriker", "country": "SY"}


@pytest.fixture
def case_id(api: Api) -> str:
    api.agency(LEAD)
    return api.open_case(LEAD)


def test_opening_a_case_answers_location_etag_and_version(api: Api) -> None:
    api.agency(LEAD)
    body = {"person": {"given_name": "A", "family_name": "B"}, "municipality": "mayen-koblenz"}
    response = api.as_(LEAD, "POST", "/v1/cases", json=body)
    assert response.status_code == 201
    assert response.json()["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/v1/cases/{response.json()['case_id']}"


def test_a_recorded_event_echoes_its_data_with_generated_ids(api: Api, case_id: str) -> None:
    response = api.post(LEAD, case_id, **QUALIFICATION)
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 2
    assert body["event"]["type"] == "QualificationRecorded"
    assert body["event"]["recorded_by"] == {"agency": LEAD, "token_label": f"{LEAD}-caseworker"}
    assert body["event"]["data"]["qualification_id"] == "qualification-1"
    assert response.headers["ETag"] == '"2"'
    assert int(response.headers["X-Event-Position"]) >= 2


def test_if_match_with_a_stale_version_is_412_and_records_nothing(api: Api, case_id: str) -> None:
    assert api.post(LEAD, case_id, **QUALIFICATION, headers={"If-Match": '"1"'}).status_code == 201
    stale = api.post(LEAD, case_id, **QUALIFICATION, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "version-mismatch"
    assert stale.json()["current_version"] == 2
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").headers["ETag"] == '"2"'


def test_the_same_idempotency_key_records_one_event(api: Api, case_id: str) -> None:
    headers = {"Idempotency-Key": "import-4711"}
    first = api.post(LEAD, case_id, **QUALIFICATION, headers=headers)
    second = api.post(LEAD, case_id, **QUALIFICATION, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.json() == first.json()
    assert second.headers["X-Event-Position"] == first.headers["X-Event-Position"]
    history = api.as_(LEAD, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    assert [e["type"] for e in history] == ["CaseOpened", "QualificationRecorded"]


def test_an_idempotency_key_reused_with_another_body_is_422(api: Api, case_id: str) -> None:
    headers = {"Idempotency-Key": "k-1"}
    assert api.post(LEAD, case_id, **QUALIFICATION, headers=headers).status_code == 201
    other = api.post(LEAD, case_id, **{**QUALIFICATION, "title": "Maurer"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-key-reused"


def claim_as_if_in_flight(app: FastAPI, case_id: str, key: str, event: dict[str, Any]) -> None:
    """Claims live in the serving process's memory: claim there, as a request would."""
    body = jsonable_encoder(TypeAdapter(EventIn).validate_python(event).model_dump())
    request = idempotency_request(key, LEAD, f"events:{UUID(case_id)}", body)
    assert request is not None
    app.state.services.idempotency.claim(request)


def test_an_idempotency_key_still_in_flight_is_409(api: Api, app: FastAPI, case_id: str) -> None:
    claim_as_if_in_flight(app, case_id, "busy-key", QUALIFICATION)
    response = api.post(LEAD, case_id, **QUALIFICATION, headers={"Idempotency-Key": "busy-key"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_a_key_in_flight_for_another_body_is_422(api: Api, app: FastAPI, case_id: str) -> None:
    claim_as_if_in_flight(app, case_id, "busy-key", {**QUALIFICATION, "title": "Maurer"})
    response = api.post(LEAD, case_id, **QUALIFICATION, headers={"Idempotency-Key": "busy-key"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-key-reused"


def test_opening_a_case_with_an_idempotency_key_opens_one_case(api: Api) -> None:
    api.agency(LEAD)
    body = {"person": {"given_name": "A", "family_name": "B"}, "municipality": "mayen-koblenz"}
    headers = {"Idempotency-Key": "open-1"}
    first = api.as_(LEAD, "POST", "/v1/cases", json=body, headers=headers)
    second = api.as_(LEAD, "POST", "/v1/cases", json=body, headers=headers)
    assert first.json()["case_id"] == second.json()["case_id"]
    assert second.headers["Idempotent-Replayed"] == "true"


def test_twenty_concurrent_posts_from_two_agencies_land_exactly_once(
    api: Api, case_id: str
) -> None:
    api.agency(MBE)
    # The second agency becomes related to the case by recording a consent naming it.
    granted = api.grant(LEAD, case_id, MBE, ["counselling"], ["education"])
    assert granted.status_code == 201

    def post(n: int) -> httpx.Response:
        who = LEAD if n % 2 else MBE
        return api.post(who, case_id, **{**QUALIFICATION, "qualification_id": f"q-{n}"})

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(post, range(20)))

    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(3, 23))
    auditor = api.agency("kreis-mayen-koblenz", role=Role.AUDITOR)
    history = api.as_(auditor, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    assert [e["version"] for e in history] == list(range(1, 23))
    ids = [e["data"]["qualification_id"] for e in history if e["type"] == "QualificationRecorded"]
    assert sorted(ids) == sorted(f"q-{n}" for n in range(20))
