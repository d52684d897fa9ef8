"""The access log holds no personal data, is never skipped, and cannot be rewritten."""

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from eventsourcing.persistence import PersistenceError

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.people import PERSON

ABH, MBE, STRANGER = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "jobcenter-koblenz"
DISTRICT = "kreis-mayen-koblenz"
REFERRAL = {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
            "categories": ["identity", "contact"]}  # fmt: skip


def stored_log(api: Api) -> str:
    """Every row and column of the access log table, as text."""
    rows = api.services.db.fetch_all("SELECT * FROM {p}access_log ORDER BY entry_id")
    return json.dumps(rows, default=str, ensure_ascii=False)


def test_the_stored_access_log_holds_no_personal_data(api: Api) -> None:
    api.agency(ABH)
    api.agency(MBE)
    api.agency(STRANGER)
    dpo = api.agency(DISTRICT, role=Role.DPO)
    auditor = api.agency(DISTRICT, role=Role.AUDITOR)
    case_id = api.open_case(ABH)
    granted = api.grant(ABH, case_id, MBE, ["counselling"], ["identity", "contact"])
    consent_id = granted.json()["event"]["data"]["consent_id"]
    api.post(ABH, case_id, **REFERRAL)
    for who in (MBE, auditor, dpo):
        api.as_(who, "GET", f"/v1/cases/{case_id}")
        api.as_(who, "GET", f"/v1/cases/{case_id}/history")
    api.post(ABH, case_id, type="ConsentWithdrawn", consent_id=consent_id,
             reason=f"{PERSON['given_name']} {PERSON['family_name']} asked by phone")  # fmt: skip
    api.as_(MBE, "GET", f"/v1/cases/{case_id}")
    api.post(ABH, case_id, **REFERRAL)
    api.as_(STRANGER, "GET", f"/v1/cases/{case_id}")
    for who in (ABH, dpo):
        api.as_(who, "GET", f"/v1/cases/{case_id}/consent-trail")
        api.as_(who, "GET", f"/v1/cases/{case_id}/disclosure-report", params={"format": "pdf"})
        api.as_(who, "GET", f"/v1/cases/{case_id}/consents/{consent_id}/receipt")
    api.as_(dpo, "GET", "/v1/dpo/overview", params={"format": "csv"})

    stored = stored_log(api)

    assert {"read", "withheld", "refused"} <= {
        e.action for e in api.services.access_log.for_case(case_id)
    }
    for secret in (PERSON["given_name"], PERSON["family_name"], PERSON["date_of_birth"],
                   PERSON["phone"], PERSON["email"], "asked by phone"):  # fmt: skip
        assert secret not in stored


@contextmanager
def access_log_gone(api: Api) -> Iterator[None]:
    """The access log table cannot be written while this lasts."""
    db = api.services.db
    db.execute("ALTER TABLE {p}access_log RENAME TO access_log_away")
    try:
        yield
    finally:
        db.execute("ALTER TABLE {p}access_log_away RENAME TO access_log")


def test_a_read_whose_entry_cannot_be_written_is_refused(api: Api) -> None:
    api.agency(ABH)
    api.agency(MBE)
    dpo = api.agency(DISTRICT, role=Role.DPO)
    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, MBE, ["counselling"], ["identity", "contact"])

    with access_log_gone(api):
        reads = [
            api.as_(MBE, "GET", f"/v1/cases/{case_id}"),
            api.as_(MBE, "GET", f"/v1/cases/{case_id}/history"),
            api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail"),
            api.as_(ABH, "GET", f"/v1/cases/{case_id}/disclosure-report"),
        ]
        refused_write = api.post(ABH, case_id, type="ReferralSent", to_agency=MBE,
                                 purpose="housing", categories=["identity"])  # fmt: skip

    for response in [*reads, refused_write]:
        assert (response.status_code, response.json()["code"]) == (503, "unavailable")
        assert response.headers["Retry-After"] == "1"
        assert PERSON["family_name"] not in response.text
    assert api.as_(MBE, "GET", f"/v1/cases/{case_id}").status_code == 200


def test_the_access_log_cannot_be_changed_or_emptied(api: Api) -> None:
    api.agency(ABH)
    api.agency(STRANGER)
    case_id = api.open_case(ABH)
    api.as_(STRANGER, "GET", f"/v1/cases/{case_id}")
    before = stored_log(api)

    for statement in ("UPDATE {p}access_log SET reason = 'nothing happened'",
                      "DELETE FROM {p}access_log"):  # fmt: skip
        with pytest.raises(PersistenceError, match="append-only"):
            api.services.db.execute(statement)

    assert stored_log(api) == before
    assert [e.reason for e in api.services.access_log.for_case(case_id)] == ["no-relation"]
