"""Landkreis Mayen-Koblenz, 2014: the foreigners authority passes a newcomer's data
to the migration service only if the newcomer consented to the data exchange."""

from coordination.domain.identity import AgencyKind
from tests.e2e.conftest import Api

ABH, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"


def test_data_reaches_the_migration_service_only_under_consent(api: Api) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    referral = {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
                "categories": ["identity", "contact"]}  # fmt: skip

    # 1. The foreigners authority opens the case and records a qualification.
    case_id = api.open_case(ABH)
    qualification = {"type": "QualificationRecorded", "title": "Pflegefachkraft", "country": "SY"}
    assert api.post(ABH, case_id, **qualification).status_code == 201

    # 2. A referral to the migration service is refused: no consent yet.
    refused = api.post(ABH, case_id, **referral)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "consent-required"
    assert refused.json()["recipient"] == MBE
    assert refused.json()["purpose"] == "counselling"
    assert refused.json()["categories"] == ["contact", "identity"]
    assert len(api.as_(ABH, "GET", f"/v1/cases/{case_id}/history").json()["events"]) == 2

    # 3. The newcomer consents; the authority records it.
    granted = api.grant(ABH, case_id, MBE, ["counselling"], ["identity", "contact"])
    assert granted.status_code == 201, granted.text
    consent_id = granted.json()["event"]["data"]["consent_id"]

    # 4. Now the referral goes through.
    sent = api.post(ABH, case_id, **referral)
    assert sent.status_code == 201, sent.text
    assert int(sent.headers["X-Event-Position"]) > 0

    # 5. The migration service reads the case: identity and contact, not education.
    seen = api.as_(MBE, "GET", f"/v1/cases/{case_id}").json()
    assert seen["person"]["family_name"] == "Haddad"
    assert seen["person"]["phone"] == "+49 341 000000"
    assert seen["qualifications"] == []
    assert "education" in seen["withheld"]
    history = api.as_(MBE, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    recorded = next(e for e in history if e["type"] == "QualificationRecorded")
    assert recorded["data"] is None
    assert recorded["withheld"] == ["education"]

    # 6. The newcomer withdraws consent.
    withdrawn = api.post(ABH, case_id, type="ConsentWithdrawn", consent_id=consent_id)
    assert withdrawn.status_code == 201, withdrawn.text

    # 7. The next read by the migration service gets no personal data.
    after = api.as_(MBE, "GET", f"/v1/cases/{case_id}").json()
    assert after.get("person") is None
    assert {"identity", "contact"} <= set(after["withheld"])
    history = api.as_(MBE, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    assert history[0]["data"] is None
    assert "Haddad" not in str(history)

    # 8. And the next referral is refused again.
    again = api.post(ABH, case_id, **referral)
    assert again.status_code == 403
    assert again.json()["code"] == "consent-required"

    # The refusals and the reads are on the access log, without personal data.
    log = api.services.access_log.for_case(case_id)
    refusals = [e for e in log if e.action == "refused" and e.agency_id == ABH]
    assert len(refusals) == 2
    reads = [e for e in log if e.action == "read" and e.agency_id == MBE]
    assert reads
    assert reads[0].basis == {"contact": consent_id, "identity": consent_id}
    assert "Haddad" not in repr(log)
