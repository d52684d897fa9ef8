"""Controllers (ADR 0042): in Mayen-Koblenz the district runs the foreigners authority,
the job centre is a joint institution and its own controller (§ 50 Abs. 2 SGB II), and
the Diakonie runs the migration counselling. Each has its own data-protection officer,
who sees and erases their controller's processing and nobody else's."""

from typing import Any
from uuid import UUID

import pytest

from coordination.domain.identity import AgencyKind, Role
from coordination.settings import Settings
from tests.e2e.conftest import Api, body

ABH, JC = "abh-mayen-koblenz", "jobcenter-mayen-koblenz"
MBE, BAMF = "mbe-diakonie-myk", "bamf-koblenz"
JC_SECRET, MBE_SECRET = "Zwrelbakt", "Quindorva"
ERASE = {"reason": "the person asked for erasure", "legal_basis": "Art. 17 Abs. 1 lit. a GDPR"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    # This deployment keeps the Federal Office's part under § 8 Abs. 6 IntV.
    return Settings(
        database_url=database_url, log_level="WARNING", retention_rules=["bamf-integrationskurs"]
    )


@pytest.fixture
def dpos(api: Api) -> dict[str, str]:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)  # the district's, as its municipality
    api.agency(JC, AgencyKind.JOBCENTER, controller="jobcenter-mayen-koblenz")
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG, controller="diakonie-rwl")
    api.agency(BAMF, AgencyKind.BAMF, municipality="bund", controller="bamf")
    return {
        "district": api.agency("kreis-mayen-koblenz", AgencyKind.KOMMUNE, role=Role.DPO),
        "job centre": api.agency(
            JC, AgencyKind.JOBCENTER, role=Role.DPO, controller="jobcenter-mayen-koblenz"
        ),
        "diakonie": api.agency("diakonie-datenschutz", role=Role.DPO, controller="diakonie-rwl"),
        "federal office": api.agency(BAMF, AgencyKind.BAMF, "bund", Role.DPO, "bamf"),
        "elsewhere": api.agency("caritas-datenschutz", role=Role.DPO, controller="caritas-trier"),
    }


def case_with_three_controllers(api: Api) -> str:
    """The foreigners authority opens the case and refers the person to the job centre;
    the job centre notes the referral's acceptance and a qualification; the migration
    counselling service is only named in a consent."""
    case_id = api.open_case(ABH)
    for recipient in (JC, MBE):
        body(api.grant(ABH, case_id, recipient, ["counselling", "case_management"],
                     ["identity", "education"]), 201)  # fmt: skip
    body(api.post(ABH, case_id, type="ReferralSent", to_agency=JC, purpose="counselling",
                categories=["identity"], note="bitte Termin"), 201)  # fmt: skip
    body(api.post(JC, case_id, type="ReferralAccepted", referral_id="referral-1",
                reason=f"Beratung {JC_SECRET}"), 201)  # fmt: skip
    body(api.post(JC, case_id, type="QualificationRecorded", title=f"Pflege {JC_SECRET}",
                country="SY", level="bachelor"), 201)  # fmt: skip
    return case_id


def trail(api: Api, who: str, case_id: str) -> dict[str, Any]:
    return api.get(who, f"/v1/cases/{case_id}/consent-trail")


def test_a_dpo_sees_only_the_processing_of_their_controller(api: Api, dpos: dict[str, str]) -> None:
    case_id = case_with_three_controllers(api)

    # A controller with no part in the case does not see it at all.
    for url in (f"/v1/cases/{case_id}", f"/v1/cases/{case_id}/consent-trail",
                f"/v1/cases/{case_id}/disclosure-report"):  # fmt: skip
        assert api.as_(dpos["elsewhere"], "GET", url).status_code == 404

    # The district's DPO: its authority opened the case and gave both consents.
    district = trail(api, dpos["district"], case_id)
    assert sorted(c["recipients"][0] for c in district["consents"]) == [JC, MBE]

    # The job centre's DPO: the consent it receives under and the referral it received,
    # but not the consent to the Diakonie nor anything the Diakonie did.
    job_centre = trail(api, dpos["job centre"], case_id)
    assert [c["recipients"] for c in job_centre["consents"]] == [[JC]]
    assert {a["agency"] for a in job_centre["current_access"]["agencies"]} == {JC}
    assert MBE not in str(job_centre)

    # The Diakonie's DPO: the consent naming its service, nothing of the job centre.
    diakonie = trail(api, dpos["diakonie"], case_id)
    assert [c["recipients"] for c in diakonie["consents"]] == [[MBE]]
    assert JC not in str(diakonie)

    # Reading the case itself (metadata only) shows the same part: the job centre's DPO
    # sees its consent and the events its agency recorded or received, nothing else.
    state = api.get(dpos["job centre"], f"/v1/cases/{case_id}")
    assert [c["recipients"] for c in state["consents"]] == [[JC]]
    events = api.get(dpos["job centre"], f"/v1/cases/{case_id}/history")["events"]
    assert [e["type"] for e in events] == [
        "ConsentGranted", "ReferralSent", "ReferralAccepted", "QualificationRecorded",
    ]  # fmt: skip
    opener = api.get(dpos["district"], f"/v1/cases/{case_id}/history")["events"]
    assert [e["type"] for e in opener] == [
        "CaseOpened", "ConsentGranted", "ConsentGranted", "ReferralSent",
    ]  # fmt: skip

    # The person's report, as the lead agency gives it, names each agency's controller.
    report = api.get(ABH, f"/v1/cases/{case_id}/disclosure-report")
    controllers = {a["agency_id"]: a["controller"] for a in report["agencies"]}
    assert (controllers[JC], controllers[MBE]) == ("jobcenter-mayen-koblenz", "diakonie-rwl")

    # The refusal of the unrelated controller's DPO is on the trail, for the lead.
    refusals = [e for e in api.services.access_log.for_case(case_id) if e.action == "refused"]
    assert {(e.agency_id, e.reason) for e in refusals} == {
        ("caritas-datenschutz", "other-controller")
    }


def test_a_dpo_erases_their_controller_s_part_and_no_other(api: Api, dpos: dict[str, str]) -> None:
    case_id = case_with_three_controllers(api)
    keys = api.services.app.keys

    # Another controller's DPO cannot erase the case, and changes nothing by trying.
    before = api.get(ABH, f"/v1/cases/{case_id}")["version"]
    refused = api.as_(dpos["elsewhere"], "POST", f"/v1/cases/{case_id}/erasure", json=ERASE)
    assert refused.status_code == 404
    assert api.get(ABH, f"/v1/cases/{case_id}")["version"] == before

    # The job centre's DPO erases the job centre's part.
    erasure = api.as_(dpos["job centre"], "POST", f"/v1/cases/{case_id}/erasure", json=ERASE)
    done = body(erasure, 201)
    assert (done["whole"], done["kept_under"], done["left_to"]) == (False, None, [])
    assert keys.is_destroyed(UUID(case_id), "jobcenter-mayen-koblenz")
    assert not keys.is_destroyed(UUID(case_id))

    # What the job centre recorded reads as erased; what the authority recorded does not.
    history = api.get(ABH, f"/v1/cases/{case_id}/history")["events"]
    erased = next(e for e in history if e["type"] == "CaseErased")["data"]
    assert (erased["controller"], erased["whole"]) == ("jobcenter-mayen-koblenz", False)
    assert JC_SECRET not in str(api.services.app.history(UUID(case_id)))
    case = api.get(ABH, f"/v1/cases/{case_id}")
    assert (case["erased"], case["person"]["family_name"]) == (False, "Haddad")

    # The case stays in the authority's caseload and leaves the job centre's.
    after = {"min_position": erasure.headers["X-Event-Position"]}
    for agency, listed in ((ABH, True), (JC, False)):
        page = api.get(agency, "/v1/caseload", params=after)
        assert (case_id in [item["case_id"] for item in page["items"]]) is listed, agency

    # The job centre's processing of the case has ended: it reads and records no more.
    assert api.as_(JC, "GET", f"/v1/cases/{case_id}").status_code == 404
    late = api.post(JC, case_id, type="QualificationRecorded", title="late", country="SY")
    assert (late.status_code, late.json()["code"]) == (422, "part-erased")

    # Each DPO's overview lists the erasure: the job centre's as its own, the district's
    # as made on a case its authority opened; the Diakonie's does not.
    for who, listed in (("job centre", 1), ("district", 1), ("diakonie", 0)):
        overview = api.get(dpos[who], "/v1/dpo/overview")
        assert len(overview["erasures"]) == listed, who

    # The authority goes on working with the case; a repeated request changes nothing.
    body(api.post(ABH, case_id, type="CaseClosed", reason="moved away"), 201)
    again = api.as_(dpos["job centre"], "POST", f"/v1/cases/{case_id}/erasure", json=ERASE)
    assert (again.status_code, again.json()["version"]) == (200, done["version"])

    # The district's DPO erases the authority's part, which opened the case: all of it.
    whole = body(api.as_(dpos["district"], "POST", f"/v1/cases/{case_id}/erasure", json=ERASE), 201)
    assert whole["whole"] is True
    assert keys.is_destroyed(UUID(case_id))
    assert api.get(ABH, f"/v1/cases/{case_id}")["erased"] is True
    # The Diakonie's part remains, for its own DPO, who is told in the overview.
    assert whole["left_to"] == ["diakonie-rwl"]
    assert len(api.get(dpos["diakonie"], "/v1/dpo/overview")["erasures"]) == 1


def test_a_lead_agency_whose_part_was_erased_oversees_the_case_no_more(
    api: Api, dpos: dict[str, str]
) -> None:
    case_id = api.open_case(ABH)
    body(api.grant(ABH, case_id, JC, ["case_management"], ["identity"]), 201)
    body(api.post(ABH, case_id, type="CaseTransferred", to_agency=JC), 201)
    assert api.as_(JC, "GET", f"/v1/cases/{case_id}/disclosure-report").status_code == 200

    body(api.as_(dpos["job centre"], "POST", f"/v1/cases/{case_id}/erasure", json=ERASE), 201)

    for document in ("disclosure-report", "consent-trail", "consents/consent-1/receipt"):
        refused = api.as_(JC, "GET", f"/v1/cases/{case_id}/{document}")
        assert refused.status_code == 404, document
    reasons = [e.reason for e in api.services.access_log.for_case(case_id) if e.agency_id == JC]
    assert reasons[-3:] == ["part-erased"] * 3


def test_a_retention_rule_keeps_a_part_restricted_and_says_which(
    api: Api, dpos: dict[str, str]
) -> None:
    case_id = api.open_case(ABH)
    body(api.grant(ABH, case_id, BAMF, ["language_course"], ["identity", "language"]), 201)
    body(api.post(BAMF, case_id, type="QualificationRecorded", title=f"Zertifikat {MBE_SECRET}",
                country="DE"), 201)  # fmt: skip

    done = body(api.as_(dpos["federal office"], "POST", f"/v1/cases/{case_id}/erasure",
                      json=ERASE), 201)  # fmt: skip

    # Kept under § 8 Abs. 6 IntV, at the latest until ten years on: the key survives...
    kept = done["kept_under"]
    assert (kept["rule_id"], kept["norm"]) == ("bamf-integrationskurs", "§ 8 Abs. 6 IntV")
    assert int(kept["until"][:4]) == int(done["erased_at"][:4]) + 10
    assert not api.services.app.keys.is_destroyed(UUID(case_id), "bamf")
    # ...but is restricted: the Federal Office reads nothing of the case through the service.
    assert api.as_(BAMF, "GET", f"/v1/cases/{case_id}").status_code == 404
    history = api.get(ABH, f"/v1/cases/{case_id}/history")["events"]
    assert next(e for e in history if e["type"] == "CaseErased")["data"]["kept_under"] == kept
