"""GET /v1/audit/verify: auditors check the stored history's integrity over HTTP."""

from datetime import UTC, datetime
from uuid import UUID

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.support import STARTER_EVENTS

ABH, AUDIT = "abh-mayen-koblenz", "rechnungspruefung-mayen-koblenz"
ALWAYS = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _case(api: Api) -> str:
    api.agency(ABH)
    case_id = api.open_case(ABH)
    assert api.post(ABH, case_id, type="CaseClosed", reason="moved away").status_code == 201
    return case_id


def test_an_intact_store_verifies_and_the_call_is_logged(api: Api) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)

    whole = api.as_(auditor, "GET", "/v1/audit/verify")
    one = api.as_(auditor, "GET", "/v1/audit/verify", params={"case_id": case_id})

    assert whole.status_code == 200, whole.text
    # The whole store: the rule book's starter set, then the case's two events.
    assert whole.json() == {"ok": True, "events_checked": STARTER_EVENTS + 2,
                            "first_failure": None}  # fmt: skip
    assert one.json() == {"ok": True, "events_checked": 2, "first_failure": None}
    logged = [e for e in api.services.access_log.between(*ALWAYS) if e.reason == "verify"]
    assert [(e.agency_id, e.action, e.case_id, e.basis) for e in logged] == [
        (AUDIT, "read", None, {"role": "auditor"}),
        (AUDIT, "read", case_id, {"role": "auditor"}),
    ]


def test_a_changed_event_makes_ok_false_and_names_it(api: Api) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)
    svc = api.services
    events = "{p}" + svc.app.recorder.events_table_name  # type: ignore[attr-defined]
    position = "rowid" if svc.db.dialect == "sqlite" else "notification_id"
    second = STARTER_EVENTS + 2  # the case's second event, after the rule book's
    svc.db.execute(f"UPDATE {events} SET state = %s WHERE {position} = %s",
                   (b'{"c":{},"s":null}', second))  # fmt: skip

    for params in ({}, {"case_id": case_id}):
        body = api.as_(auditor, "GET", "/v1/audit/verify", params=params).json()
        assert body["ok"] is False
        assert body["first_failure"] == {
            "case_id": case_id,
            "version": 2,
            "reason": "event changed",
            "position": second,
        }


def test_only_auditors_and_only_known_cases(api: Api) -> None:
    case_id = _case(api)
    auditor = api.agency(AUDIT, role=Role.AUDITOR)
    dpo = api.agency("dsb-mayen-koblenz", role=Role.DPO)

    assert api.as_(ABH, "GET", "/v1/audit/verify").status_code == 403
    assert api.as_(dpo, "GET", "/v1/audit/verify").status_code == 403
    assert api.client.get("/v1/audit/verify").status_code == 401
    for unknown in ("not-a-uuid", str(UUID(int=5))):
        response = api.as_(auditor, "GET", "/v1/audit/verify", params={"case_id": unknown})
        assert response.status_code == 404
        assert response.json()["code"] == "not-found"
    assert api.as_(auditor, "GET", f"/v1/audit/verify?case_id={case_id}").status_code == 200
