"""A consent cannot be bent: it is recorded by the agency that obtained it or by the lead
agency, never by an agency it would let see more; it may say who may disclose; and a
minor's consent comes from a parent or guardian."""

from typing import Any

from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api
from tests.people import PERSON

ABH, MBE, VHS = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "vhs-mayen-koblenz"
JC = "jobcenter-mayen-koblenz"


def setup(api: Api) -> str:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    api.agency(VHS, AgencyKind.SPRACHKURSTRAEGER)
    api.agency(JC, AgencyKind.JOBCENTER)
    return api.open_case(ABH)


def relate(api: Api, case_id: str, agency: str) -> None:
    """The lead refers the case to `agency` under a consent for counselling."""
    granted = api.grant(ABH, case_id, agency, ["counselling"], ["identity"])
    assert granted.status_code == 201, granted.text
    sent = api.post(ABH, case_id, type="ReferralSent", to_agency=agency,
                    purpose="counselling", categories=["identity"])  # fmt: skip
    assert sent.status_code == 201, sent.text


def version(api: Api, case_id: str) -> int:
    answer = api.as_(ABH, "GET", f"/v1/cases/{case_id}")
    assert answer.status_code == 200, answer.text
    number: int = answer.json()["version"]
    return number


def refusals(api: Api, case_id: str, dpo: str) -> list[tuple[str, str]]:
    trail = api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail")
    assert trail.status_code == 200, trail.text
    return [(r["agency"], r["reason"]) for r in trail.json()["refused"]]


def test_a_recipient_cannot_record_a_consent_that_widens_its_own_access(api: Api) -> None:
    case_id = setup(api)
    dpo = api.agency("kreis-mayen-koblenz", role=Role.DPO)
    relate(api, case_id, MBE)
    before = version(api, case_id)

    # The counselling service tries to give itself residence and family data.
    widened = api.grant(MBE, case_id, MBE, ["counselling"], ["identity", "residence", "family"])

    assert widened.status_code == 403, widened.text
    assert widened.headers["content-type"] == "application/problem+json"
    assert widened.json()["code"] == "consent-own-access"
    assert version(api, case_id) == before
    assert (MBE, "consent-own-access") in refusals(api, case_id, dpo)
    # Named among others, it is still a recipient.
    shared = api.post(MBE, case_id, type="ConsentGranted", recipients=[VHS, MBE],
                      purposes=["counselling"], categories=["residence"],
                      given_on="2026-09-01", evidence={"method": "written"})  # fmt: skip
    assert shared.json()["code"] == "consent-own-access"
    assert version(api, case_id) == before


def test_only_the_obtaining_agency_or_the_lead_records_a_consent(api: Api) -> None:
    case_id = setup(api)
    relate(api, case_id, MBE)

    # The counselling service obtained a consent for the course provider: it records it.
    own = api.grant(MBE, case_id, VHS, ["language_course"], ["identity", "contact"])
    assert own.status_code == 201, own.text
    assert own.json()["event"]["data"]["obtained_by"] == MBE

    # It cannot record one that the job centre obtained; the lead agency can.
    claimed = api.grant(MBE, case_id, VHS, ["language_course"], ["language"], obtained_by=JC)
    assert claimed.status_code == 403, claimed.text
    assert claimed.json()["code"] == "consent-not-obtained"
    by_lead = api.grant(ABH, case_id, VHS, ["language_course"], ["language"], obtained_by=JC)
    assert by_lead.status_code == 201, by_lead.text
    assert by_lead.json()["event"]["data"]["obtained_by"] == JC
    # The job centre, which obtained it, is its controller on the receipt.
    dpo = api.agency("kreis-mayen-koblenz", role=Role.DPO)
    consent_id = by_lead.json()["event"]["data"]["consent_id"]
    url = f"/v1/cases/{case_id}/consents/{consent_id}/receipt"
    fhir = api.as_(dpo, "GET", url, headers={"Accept": "application/fhir+json"}).json()
    assert [c["identifier"]["value"] for c in fhir["controller"]] == [JC]
    assert [m["identifier"]["value"] for m in fhir["manager"]] == [ABH]

    # An obtaining agency that is not registered is bad input.
    unknown = api.grant(ABH, case_id, VHS, ["language_course"], ["language"],
                        obtained_by="nowhere-at-all")  # fmt: skip
    assert unknown.status_code == 422, unknown.text
    assert "unknown agencies: nowhere-at-all" in unknown.json()["detail"]


def test_a_consent_naming_its_disclosers_lets_only_them_disclose_and_be_read(api: Api) -> None:
    case_id = setup(api)
    relate(api, case_id, MBE)
    course = api.post(MBE, case_id, type="QualificationRecorded", title="Abitur", country="SY")
    assert course.status_code == 201, course.text

    # The person lets the job centre have education data, but only from the lead agency.
    granted = api.grant(ABH, case_id, JC, ["job_placement"], ["identity", "education"],
                        disclosers=[ABH])  # fmt: skip
    assert granted.status_code == 201, granted.text

    from_mbe = api.post(MBE, case_id, type="ReferralSent", to_agency=JC,
                        purpose="job_placement", categories=["identity"])  # fmt: skip
    assert from_mbe.status_code == 403, from_mbe.text
    assert from_mbe.json()["code"] == "consent-required"
    from_abh = api.post(ABH, case_id, type="ReferralSent", to_agency=JC,
                        purpose="job_placement", categories=["identity"])  # fmt: skip
    assert from_abh.status_code == 201, from_abh.text

    # The job centre reads who the person is (recorded by the lead), not the counselling
    # service's record of their qualification.
    seen = api.as_(JC, "GET", f"/v1/cases/{case_id}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["person"]["family_name"] == PERSON["family_name"]
    assert seen.json()["qualifications"] == []
    assert "education" in seen.json()["withheld"]


def minor(api: Api) -> str:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    api.agency("jmd-mayen-koblenz", AgencyKind.JUGENDMIGRATIONSDIENST)
    # Fifteen when the consent is given on 2026-09-01.
    return api.open_case(ABH, person={**PERSON, "date_of_birth": "2011-03-02"})


def grant_for_minor(api: Api, case_id: str, **given_by: Any) -> Any:
    return api.grant(ABH, case_id, "jmd-mayen-koblenz", ["counselling"], ["identity"],
                     **given_by)  # fmt: skip


def test_a_minors_consent_is_given_by_a_legal_representative_and_shown_as_such(
    api: Api,
) -> None:
    case_id = minor(api)
    dpo = api.agency("kreis-mayen-koblenz", role=Role.DPO)

    alone = grant_for_minor(api, case_id)
    assert alone.status_code == 422, alone.text
    assert "under 16" in alone.json()["detail"]
    carer = grant_for_minor(
        api, case_id, legal_representative={"name": "Samir Haddad", "representation": "legal_carer"}
    )
    assert carer.status_code == 422, carer.text

    by_parent = grant_for_minor(
        api, case_id, legal_representative={"name": "Samir Haddad", "representation": "parent"}
    )
    assert by_parent.status_code == 201, by_parent.text

    trail = api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    (consent,) = trail["consents"]
    assert consent["given_by"] == "parent"
    assert consent["obtained_by"] == ABH
    # The officer and the recipient see that a parent consented, not the parent's name;
    # the agency that recorded it sees both.
    for reader, shown in (
        (dpo, {"representation": "parent"}),
        ("jmd-mayen-koblenz", {"representation": "parent"}),
        (ABH, {"name": "Samir Haddad", "representation": "parent"}),
    ):
        history = api.as_(reader, "GET", f"/v1/cases/{case_id}/history").json()["events"]
        granted = next(e for e in history if e["type"] == "ConsentGranted")
        assert granted["data"]["legal_representative"] == shown, reader

    # Its receipt names the parent by standing as grantor, and no name.
    url = f"/v1/cases/{case_id}/consents/{consent['consent_id']}/receipt"
    fhir = api.as_(dpo, "GET", url, headers={"Accept": "application/fhir+json"})
    assert fhir.status_code == 200, fhir.text
    assert fhir.json()["grantor"] == [
        {"type": "RelatedPerson", "display": "legal representative: parent"}
    ]
    assert "Samir" not in fhir.text

    # Erased, the name is gone with the key; that a parent gave the consent stays.
    erasure = {"reason": "the person asked", "legal_basis": "Art. 17 GDPR"}
    erased = api.as_(dpo, "POST", f"/v1/cases/{case_id}/erasure", json=erasure)
    assert erased.status_code in (200, 201), erased.text
    trail = api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    assert [c["given_by"] for c in trail["consents"]] == ["parent"]


def test_a_parent_cannot_consent_for_an_adult(api: Api) -> None:
    case_id = setup(api)
    api.agency("jmd-mayen-koblenz", AgencyKind.JUGENDMIGRATIONSDIENST)

    by_parent = grant_for_minor(
        api, case_id, legal_representative={"name": "Samir Haddad", "representation": "parent"}
    )

    assert by_parent.status_code == 422, by_parent.text
    assert "only for a person under 16" in by_parent.json()["detail"]


def test_a_read_bound_to_a_purpose_sees_what_that_purpose_allows_and_is_logged_with_it(
    api: Api,
) -> None:
    case_id = setup(api)
    dpo = api.agency("kreis-mayen-koblenz", role=Role.DPO)
    relate(api, case_id, MBE)  # identity, for counselling
    placement = api.grant(ABH, case_id, MBE, ["job_placement"], ["education"])
    assert placement.status_code == 201, placement.text
    recorded = api.post(ABH, case_id, type="QualificationRecorded", title="Abitur", country="SY")
    assert recorded.status_code == 201, recorded.text

    for_counselling = api.as_(MBE, "GET", f"/v1/cases/{case_id}",
                              params={"purpose": "counselling"})  # fmt: skip
    assert for_counselling.status_code == 200, for_counselling.text
    assert for_counselling.json()["qualifications"] == []
    assert "education" in for_counselling.json()["withheld"]
    unbound = api.as_(MBE, "GET", f"/v1/cases/{case_id}")
    assert [q["title"] for q in unbound.json()["qualifications"]] == ["Abitur"]
    nonsense = api.as_(MBE, "GET", f"/v1/cases/{case_id}/history", params={"purpose": "fun"})
    assert nonsense.status_code == 422, nonsense.text

    trail = api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    reads = [s for s in trail["timeline"] if s["step"] == "read" and s["agency"] == MBE]
    assert [r["purposes"] for r in reads] == [["counselling"], ["counselling", "job_placement"]]
    logged = [r for r in trail["reads"] if r["agency"] == MBE]
    assert [r["purpose"] for r in logged] == ["counselling", None]
