"""Erasure (Art. 17 GDPR): afterwards nobody can read the person's data back,
from the API or from the database itself; before it, the database holds none
of it in clear either."""

import subprocess
from pathlib import Path

import pytest

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.support import PG_DSN

ABH, MBE = "abh-leipzig", "mbe-leipzig"
CANARY = {"given_name": "Quorralind", "family_name": "Vexbrannet", "date_of_birth": "1987-12-29",
          "phone": "+49 170 5550199", "email": "q.vexbrannet@example.org"}  # fmt: skip
SECRETS = [CANARY["given_name"], CANARY["family_name"], "1987-12-29", "5550199", "vexbrannet@"]


def database_dump(database_url: str) -> bytes:
    """Every byte the store holds: the SQLite files, or pg_dump of the test schema."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    schema = database_url.split("schema=")[1]
    return subprocess.run(["pg_dump", "--no-owner", "-n", schema, PG_DSN],
                          capture_output=True, check=True).stdout  # fmt: skip


def leaked(dump: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in dump]


@pytest.fixture
def case_id(api: Api) -> str:
    api.agency(ABH, municipality="leipzig")
    api.agency(MBE, municipality="leipzig")
    case_id = api.open_case(ABH, person=CANARY, municipality="leipzig")
    api.grant(ABH, case_id, MBE, ["counselling", "case_management"],
              ["identity", "contact", "integration_plan"])  # fmt: skip
    api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
             categories=["identity"], note=f"{CANARY['family_name']} needs childcare",
             headers={"Idempotency-Key": "ref-1"})  # fmt: skip
    api.post(ABH, case_id, type="AgreementConcluded", signed_on="2026-09-01",
             milestones=[{"title": f"Kurs für {CANARY['given_name']}", "due_on": "2026-10-01",
                          "responsible_agency": MBE}])  # fmt: skip
    return case_id


def test_erasure_leaves_no_personal_data_anywhere(
    api: Api, case_id: str, database_url: str
) -> None:
    dpo = api.agency("datenschutz-leipzig", municipality="leipzig", role=Role.DPO)
    auditor = api.agency("rpa-leipzig", municipality="leipzig", role=Role.AUDITOR)
    history_url = f"/v1/cases/{case_id}/history"

    # 1. Before erasure the person's data reads back through the API, under consent...
    page = api.as_(
        MBE,
        "GET",
        "/v1/caseload",
        params={"min_position": api.services.app.recorder.max_notification_id()},
    )
    assert page.status_code == 200, page.text
    seen = page.json()["items"]
    assert seen[0]["display_name"] == "Quorralind Vexbrannet"
    assert "Vexbrannet" in api.as_(auditor, "GET", history_url).text
    # ...but the database holds none of it in clear.
    assert leaked(database_dump(database_url)) == []

    # 2. The data-protection officer erases the case.
    erased = api.as_(dpo, "POST", f"/v1/cases/{case_id}/erasure",
                     json={"reason": "person asked", "legal_basis": "Art. 17 GDPR"})  # fmt: skip
    assert erased.status_code == 201, erased.text
    logged = [e for e in api.services.access_log.for_case(case_id) if e.action == "erased"]
    assert [(e.agency_id, e.reason) for e in logged] == [("datenschutz-leipzig", "Art. 17 GDPR")]

    # 3. Every event keeps type, time and agencies; its data reads as erased.
    events = api.as_(auditor, "GET", history_url).json()["events"]
    assert [e["data"] for e in events[:-1]] == [{"erased": True}] * (len(events) - 1)
    assert events[-1]["type"] == "CaseErased"
    assert events[-1]["data"]["legal_basis"] == "Art. 17 GDPR"
    assert {e["recorded_by"]["agency"] for e in events[:-1]} == {ABH}
    state = api.as_(auditor, "GET", f"/v1/cases/{case_id}").json()
    assert state["erased"] is True
    assert state.get("person") in (None, {})

    # 4. No caseload shows it, and nothing can be recorded on it any more.
    position = erased.headers["X-Event-Position"]
    assert api.as_(ABH, "GET", "/v1/caseload", params={"min_position": position}).json() == {
        "items": [], "next_cursor": None}  # fmt: skip
    again = api.post(ABH, case_id, type="CaseClosed", reason="done")
    assert again.status_code == 422
    assert again.json()["code"] == "invalid-event"

    # 5. The database holds nothing of the person, nor of the idempotency record.
    assert leaked(database_dump(database_url)) == []
    kept = api.services.db.fetch_all("SELECT * FROM {p}idempotency_results WHERE case_id = %s",
                                     (case_id,))  # fmt: skip
    assert kept == []

    # 6. Asking again changes nothing and says it is done.
    repeat = api.as_(dpo, "POST", f"/v1/cases/{case_id}/erasure",
                     json={"reason": "again", "legal_basis": "Art. 17 GDPR"})  # fmt: skip
    assert repeat.status_code == 200
    assert repeat.json()["version"] == erased.json()["version"]


def test_only_a_dpo_of_the_case_s_municipality_erases(api: Api, case_id: str) -> None:
    body = {"reason": "x", "legal_basis": "Art. 17 GDPR"}
    url = f"/v1/cases/{case_id}/erasure"
    other = api.agency("datenschutz-essen", municipality="essen", role=Role.DPO)
    assert api.as_(other, "POST", url, json=body).status_code == 404
    assert api.as_(ABH, "POST", url, json=body).status_code == 403
    dpo = api.agency("datenschutz-leipzig", municipality="leipzig", role=Role.DPO)
    bad = api.as_(dpo, "POST", url, json={"reason": "x"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation-error"
    assert api.as_(ABH, "GET", f"/v1/cases/{case_id}").json()["erased"] is False


def test_every_read_of_an_erased_case_answers_without_error(api: Api, case_id: str) -> None:
    dpo = api.agency("datenschutz-leipzig", municipality="leipzig", role=Role.DPO)
    auditor = api.agency("rpa-leipzig", municipality="leipzig", role=Role.AUDITOR)
    body = {"reason": "person asked", "legal_basis": "Art. 17 GDPR"}
    assert api.as_(dpo, "POST", f"/v1/cases/{case_id}/erasure", json=body).status_code == 201
    url = f"/v1/cases/{case_id}"
    reads = [
        (ABH, url), (ABH, f"{url}/history"), (MBE, url), (MBE, f"{url}/history"),
        (auditor, url), (auditor, f"{url}/history"), (dpo, f"{url}/history"),
        (ABH, f"{url}/consent-trail"), (dpo, f"{url}/consent-trail"),
        (ABH, f"{url}/disclosure-report"), (dpo, f"{url}/disclosure-report?format=pdf"),
        (dpo, f"{url}/consents/consent-1/receipt"),
        (auditor, f"/v1/audit/verify?case_id={case_id}"),
    ]  # fmt: skip
    for who, path in reads:
        response = api.as_(who, "GET", path)
        assert response.status_code == 200, (who, path, response.text)
        assert not leaked(response.content), (who, path)
