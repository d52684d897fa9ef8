"""Consent receipts over HTTP: ISO/IEC TS 27560 in DPV (JSON-LD) or FHIR R5 Consent."""

from fhir.resources.consent import Consent as FhirConsent

from coordination.domain.identity import Role
from tests.e2e.conftest import Api

ABH, MBE, DISTRICT = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "kreis-mayen-koblenz"


def test_a_consent_has_a_dpv_receipt_and_a_fhir_consent(api: Api) -> None:
    api.agency(ABH)
    api.agency(MBE)
    dpo = api.agency(DISTRICT, role=Role.DPO)
    case_id = api.open_case(ABH)
    granted = api.grant(ABH, case_id, MBE, ["counselling", "housing"], ["identity", "family"])
    consent_id = granted.json()["event"]["data"]["consent_id"]
    url = f"/v1/cases/{case_id}/consents/{consent_id}/receipt"

    # 1. By default, the consent record in DPV terms.
    record = api.as_(dpo, "GET", url)
    assert record.headers["content-type"] == "application/ld+json"
    body = record.json()
    (process,) = body["dpv:hasProcess"]
    assert body["dct:identifier"] == consent_id
    assert [p["@type"] for p in process["dpv:hasPurpose"]] == [
        ["dpv:RequestedServiceProvision", "dpv-ps:SocialAssistanceManagement"],
        ["dpv:ServiceProvision", "dpv-ps:HousingWelfareManagement"],
    ]
    assert [c["@type"] for c in process["dpv:hasPersonalData"]] == [
        ["pd:Family"],
        ["pd:Identifying"],
    ]
    assert [r["dct:identifier"] for r in process["dpv:hasRecipient"]] == [MBE]
    assert [s["@type"] for s in body["dpv:hasConsentStatus"]] == ["dpv:ConsentGiven"]

    # 2. The same consent as FHIR, chosen by media type; withdrawn, it is inactive.
    api.post(ABH, case_id, type="ConsentWithdrawn", consent_id=consent_id)
    fhir = api.as_(ABH, "GET", url, headers={"Accept": "application/fhir+json"})
    assert fhir.headers["content-type"] == "application/fhir+json"
    consent = FhirConsent.model_validate(fhir.json())
    assert (consent.id, consent.status, consent.decision) == (consent_id, "inactive", "permit")

    after = api.as_(dpo, "GET", url, params={"format": "dpv"}).json()
    statuses = [s["@type"] for s in after["dpv:hasConsentStatus"]]
    assert statuses == ["dpv:ConsentGiven", "dpv:ConsentWithdrawn"]
    for text in (record.text, fhir.text):
        assert "Haddad" not in text
