"""POST /v1/admin/imports: admins import existing cases; bad input changes nothing;
each imported case is logged as imported by the admin."""

from uuid import UUID, uuid4

import httpx
import pytest

from coordination.adapters.store.access_log import AccessEntry
from coordination.domain.identity import AgencyKind, Role
from coordination.services.importing import IMPORTED
from tests.e2e.conftest import Api
from tests.import_cases import ABH, MBE, line, ndjson, referral, story

NDJSON = {"Content-Type": "application/x-ndjson"}
ADMIN = f"kommune-leipzig:{Role.ADMIN.value}"


@pytest.fixture
def api(api: Api) -> Api:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE, "leipzig")
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG, "leipzig")
    api.agency("kommune-leipzig", AgencyKind.KOMMUNE, "leipzig", Role.ADMIN)
    return api


def imported(api: Api, case_id: UUID) -> list[AccessEntry]:
    return [e for e in api.services.access_log.for_case(str(case_id)) if e.action == IMPORTED]


def send(api: Api, who: str, body: bytes, headers: dict[str, str] = NDJSON) -> httpx.Response:
    return api.as_(who, "POST", "/v1/admin/imports", content=body, headers=headers)


def test_an_admin_imports_cases_that_agencies_then_read(api: Api) -> None:
    case_id = uuid4()
    body = ndjson(line(story(), case_id), line(story()))
    done = send(api, ADMIN, body)
    assert done.status_code == 200, done.text
    assert done.json() == {"cases": 2, "imported": 2, "skipped": 0, "events": 8}
    state = api.as_(ABH, "GET", f"/v1/cases/{case_id}").json()
    assert (state["version"], state["lead_agency"]) == (4, ABH)
    assert state["person"]["given_name"] == "Amina"
    history = api.as_(MBE, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    assert history[3]["recorded_by"] == {"agency": MBE, "token_label": "fachverfahren"}
    assert history[0]["recorded_at"].startswith("2025-03-01T08:30")


def test_each_case_is_logged_as_imported_by_the_admin_and_the_request(api: Api) -> None:
    ids = [uuid4(), uuid4()]
    done = send(api, ADMIN, ndjson(*(line(story(), i) for i in ids)))
    assert done.status_code == 200, done.text
    admin = ("kommune-leipzig", "kommune-leipzig-admin", "admin", done.headers["x-request-id"])
    for number, case_id in enumerate(ids, start=1):
        (entry,) = imported(api, case_id)
        assert (entry.agency_id, entry.token_label, entry.role, entry.request_id) == admin
        assert (entry.categories, entry.basis) == ([], {"line": number})


def test_the_trail_shows_the_import_as_a_step_not_a_refusal(api: Api) -> None:
    case_id = uuid4()
    assert send(api, ADMIN, ndjson(line(story(), case_id))).status_code == 200
    trail = api.as_(ABH, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    assert (trail["reads"], trail["refused"]) == ([], [])
    last = trail["timeline"][-1]
    assert (last["step"], last["agency"], last["basis"]) == (
        "imported", "kommune-leipzig", {"line": "1"})  # fmt: skip
    dpo = api.agency("datenschutz-leipzig", AgencyKind.KOMMUNE, "leipzig", Role.DPO)
    assert api.as_(dpo, "GET", "/v1/dpo/overview").json()["refused"] == []


def test_sending_the_same_input_again_skips_every_case(api: Api) -> None:
    ids = [uuid4(), uuid4()]
    body = ndjson(*(line(story(), i) for i in ids))
    first = send(api, ADMIN, body)
    assert first.status_code == 200
    assert send(api, ADMIN, body).json() == {"cases": 2, "imported": 0, "skipped": 2, "events": 0}
    for case_id in ids:  # logged once, by the request that brought the case in
        assert [e.request_id for e in imported(api, case_id)] == [first.headers["x-request-id"]]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.AUDITOR, Role.DPO])
def test_other_roles_are_forbidden(api: Api, role: Role) -> None:
    who = api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE, "leipzig", role)
    refused = send(api, who, ndjson(line(story())))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")


def test_no_token_is_unauthenticated(api: Api) -> None:
    response = api.client.post("/v1/admin/imports", content=b"{}", headers=NDJSON)
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_the_body_must_be_ndjson(api: Api) -> None:
    refused = send(api, ADMIN, ndjson(line(story())), {"Content-Type": "application/json"})
    assert (refused.status_code, refused.json()["code"]) == (400, "bad-request")


def test_a_line_that_is_not_json_is_a_bad_request_naming_it(api: Api) -> None:
    refused = send(api, ADMIN, ndjson(line(story()), b"{oops"))
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert [(e["line"], e["code"]) for e in refused.json()["errors"]] == [(2, "bad-request")]


def test_schema_problems_are_a_validation_error_by_line(api: Api) -> None:
    bad = story()
    bad[1]["data"]["given_on"] = "soon"
    refused = send(api, ADMIN, ndjson(line(story()), line(bad)))
    problem = refused.json()
    assert (refused.status_code, problem["code"], problem["error_count"]) == (
        422, "validation-error", 1)  # fmt: skip
    assert problem["errors"][0]["loc"] == ["events", 1, "data", "given_on"]
    assert problem["errors"][0]["line"] == 2


def test_a_broken_rule_is_an_invalid_event_and_nothing_is_imported(api: Api) -> None:
    first = uuid4()
    body = ndjson(line(story(), first), line([story()[0], referral(hours=1)]))
    refused = send(api, ADMIN, body)
    problem = refused.json()
    assert (refused.status_code, problem["code"]) == (422, "invalid-event")
    assert problem["errors"] == [{
        "line": 2, "code": "consent-required", "event": 1, "loc": ["events", 1],
        "detail": problem["errors"][0]["detail"], "recipient": MBE, "purpose": "counselling",
        "categories": ["contact", "identity"]}]  # fmt: skip
    assert "nothing was imported" in problem["detail"]
    assert imported(api, first) == []
    assert api.as_(ABH, "GET", f"/v1/cases/{first}").status_code == 404


def test_an_import_that_meets_an_erased_case_stops_with_a_conflict(api: Api) -> None:
    # 1. A case's key was destroyed (erased) though none of its events is stored.
    erased = uuid4()
    api.services.db.execute(
        "INSERT INTO {p}case_keys (case_id, wrapped, created_at, destroyed_at)"
        " VALUES (%s, NULL, '2025-01-01T00:00:00.000000Z',"
        " '2025-02-01T00:00:00.000000Z')",
        (str(erased),),
    )
    # 2. An import of that case id stops with 409 and writes nothing of it.
    stopped = send(api, ADMIN, ndjson(line(story(), erased)))
    assert stopped.status_code == 409, stopped.text
    assert stopped.headers["content-type"] == "application/problem+json"
    assert f"case {erased} was erased" in stopped.json()["detail"]
    assert imported(api, erased) == []
