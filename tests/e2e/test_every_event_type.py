"""Every event type of the contract over HTTP: accepted when valid, and
422 invalid-event when it breaks its rule (recording nothing)."""

from typing import Any

from tests.e2e.conftest import Api

LEAD, MBE, VHS = "mbe-caritas-leipzig", "abh-leipzig", "vhs-leipzig"
CONSENT = {"type": "ConsentGranted", "recipients": [MBE, VHS],
           "purposes": ["counselling", "language_course", "case_management"],
           "categories": ["identity", "contact", "integration_plan", "education"],
           "given_on": "2026-09-01", "evidence": {"method": "written"}}  # fmt: skip
MILESTONE = {"title": "Kurs begonnen", "due_on": "2026-11-01", "responsible_agency": VHS}

# (who, event) in an order where each is valid after the ones before it.
VALID: list[tuple[str, dict[str, Any]]] = [
    (LEAD, {**CONSENT, "consent_id": "c-main"}),
    (LEAD, {**CONSENT, "consent_id": "c-spare"}),
    (LEAD, {"type": "ConsentWithdrawn", "consent_id": "c-spare", "reason": "duplicate"}),
    (MBE, {"type": "PersonCorrected", "family_name": "Haddad-Saleh",
           "reason": "as in the passport"}),
    (LEAD, {"type": "ContactChanged", "phone": "+49 341 2222222", "email": None}),
    (MBE, {"type": "ResidenceStatusChanged", "residence_status": "niederlassungserlaubnis",
           "changed_on": "2026-08-28"}),
    (LEAD, {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
            "categories": ["identity"], "referral_id": "r-1"}),
    (MBE, {"type": "ReferralAccepted", "referral_id": "r-1"}),
    (MBE, {"type": "ReferralCompleted", "referral_id": "r-1", "outcome": "advised"}),
    (LEAD, {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
            "categories": ["contact"], "referral_id": "r-2"}),
    (MBE, {"type": "ReferralDeclined", "referral_id": "r-2", "reason": "no capacity"}),
    (LEAD, {"type": "CourseAssigned", "course_type": "integration_course", "provider": VHS,
            "target_level": "B1", "course_id": "k-1"}),
    (VHS, {"type": "CourseCompleted", "course_id": "k-1", "result": "B1",
           "completed_on": "2027-03-01"}),
    (LEAD, {"type": "AgreementConcluded", "signed_on": "2026-09-10",
            "milestones": [{**MILESTONE, "milestone_id": "m-1"},
                           {**MILESTONE, "milestone_id": "m-2"}], "agreement_id": "a-1"}),
    (VHS, {"type": "MilestoneMet", "agreement_id": "a-1", "milestone_id": "m-1",
           "met_on": "2026-10-30"}),
    (LEAD, {"type": "MilestoneRescheduled", "agreement_id": "a-1", "milestone_id": "m-2",
            "due_on": "2026-12-01", "reason": "course moved"}),
    (LEAD, {"type": "MilestoneAdded", "agreement_id": "a-1", "title": "Anerkennung beantragt",
            "due_on": "2027-01-15", "responsible_agency": VHS, "milestone_id": "m-3"}),
    (LEAD, {"type": "MilestoneCancelled", "agreement_id": "a-1", "milestone_id": "m-3",
            "reason": "not needed"}),
    (MBE, {"type": "AgreementReviewed", "agreement_id": "a-1", "reviewed_on": "2026-12-01",
           "outcome": "on track", "next_review_on": "2027-03-01"}),
    (LEAD, {"type": "AgreementEnded", "agreement_id": "a-1", "ended_on": "2027-03-01",
            "how": "fulfilled"}),
    (VHS, {"type": "ExternalReferenceRecorded", "scheme": "aktenzeichen",
           "reference": "VHS-IK-2026/117"}),
    (LEAD, {"type": "QualificationRecorded", "title": "Lehrerin", "country": "UA",
            "qualification_id": "q-1"}),
    (LEAD, {"type": "RecognitionDecided", "qualification_id": "q-1", "outcome": "partial",
            "decided_on": "2026-12-10"}),
    (LEAD, {"type": "QualificationRecorded", "title": "Pflegefachkraft", "country": "SY",
            "qualification_id": "q-2"}),
    (LEAD, {"type": "RecognitionApplied", "qualification_id": "q-2",
            "competent_body": "Landesdirektion Sachsen", "reference_profession": "Pflegefachfrau",
            "filed_on": "2026-10-01"}),
    (LEAD, {"type": "RecognitionDecided", "qualification_id": "q-2",
            "outcome": "compensation_required", "decided_on": "2026-12-15"}),
    (LEAD, {"type": "CompensationMeasureStarted", "qualification_id": "q-2",
            "measure": "knowledge_test", "started_on": "2027-02-01"}),
    (LEAD, {"type": "CompensationMeasurePassed", "qualification_id": "q-2",
            "passed_on": "2027-06-30"}),
    (MBE, {"type": "PlaceSecured", "kind": "school", "institution": "Grundschule am Park",
           "starts_on": "2026-09-14", "child": "Omar"}),
    (LEAD, {"type": "AccommodationChanged", "accommodation": "own_flat",
            "municipality": "leipzig", "moved_on": "2026-11-02"}),
    (MBE, {"type": "ResidenceObligationImposed", "place": "Leipzig",
           "valid_from": "2026-09-15", "valid_until": "2029-08-14"}),
    (MBE, {"type": "ResidenceObligationLifted", "lifted_on": "2027-05-01",
           "reason": "work in Hamburg"}),
    (VHS, {"type": "CooperationPlanAgreed", "agreed_on": "2026-10-20",
           "next_review_on": "2027-04-20"}),
    (VHS, {"type": "CooperationPlanReviewed", "reviewed_on": "2027-04-20",
           "outcome": "on track"}),
    (LEAD, {"type": "CaseClosed", "reason": "agreement fulfilled"}),
    (LEAD, {"type": "CaseReopened", "reason": "the person asks for help again"}),
    (LEAD, {"type": "CaseTransferred", "to_agency": MBE, "reason": "moved"}),
    (MBE, {"type": "CaseClosed", "reason": "agreement fulfilled"}),
]  # fmt: skip

# (who, event) that breaks a rule once the case holds every VALID event but the last two.
INVALID: dict[str, tuple[str, dict[str, Any]]] = {
    "ConsentGranted": (LEAD, {**CONSENT, "consent_id": "c-main"}),
    "ConsentWithdrawn": (LEAD, {"type": "ConsentWithdrawn", "consent_id": "c-spare"}),
    "PersonCorrected": (MBE, {"type": "PersonCorrected", "reason": "corrects nothing"}),
    "ContactChanged": (LEAD, {"type": "ContactChanged", "reason": "changes nothing"}),
    "ReferralSent": (LEAD, {"type": "ReferralSent", "to_agency": LEAD, "purpose": "counselling",
                            "categories": ["identity"]}),
    "ReferralAccepted": (MBE, {"type": "ReferralAccepted", "referral_id": "r-2"}),
    "ReferralDeclined": (LEAD, {"type": "ReferralDeclined", "referral_id": "r-1"}),
    "ReferralCompleted": (MBE, {"type": "ReferralCompleted", "referral_id": "r-1",
                                "outcome": "again"}),
    "CourseAssigned": (LEAD, {"type": "CourseAssigned", "course_type": "intensive_course",
                              "provider": VHS, "course_id": "q-1"}),
    "CourseCompleted": (VHS, {"type": "CourseCompleted", "course_id": "k-1", "result": "B1",
                              "completed_on": "2027-03-02"}),
    "AgreementConcluded": (LEAD, {"type": "AgreementConcluded", "signed_on": "2026-09-10",
                                  "milestones": [MILESTONE], "agreement_id": "a-1"}),
    "MilestoneMet": (VHS, {"type": "MilestoneMet", "agreement_id": "a-1",
                           "milestone_id": "m-1", "met_on": "2026-10-31"}),
    "MilestoneRescheduled": (LEAD, {"type": "MilestoneRescheduled", "agreement_id": "a-1",
                                    "milestone_id": "m-1", "due_on": "2027-01-01",
                                    "reason": "late"}),
    "QualificationRecorded": (LEAD, {"type": "QualificationRecorded", "title": "x",
                                     "country": "UA", "qualification_id": "r-1"}),
    "RecognitionDecided": (LEAD, {"type": "RecognitionDecided", "qualification_id": "q-9",
                                  "outcome": "full", "decided_on": "2026-12-10"}),
    "RecognitionApplied": (LEAD, {"type": "RecognitionApplied", "qualification_id": "q-9",
                                  "competent_body": "x", "reference_profession": "x",
                                  "filed_on": "2026-10-01"}),
    "CompensationMeasureStarted": (LEAD, {"type": "CompensationMeasureStarted",
                                          "qualification_id": "q-1",
                                          "measure": "adaptation_course",
                                          "started_on": "2027-02-01"}),
    "CompensationMeasurePassed": (LEAD, {"type": "CompensationMeasurePassed",
                                         "qualification_id": "q-2",
                                         "passed_on": "2027-07-01"}),
    "ResidenceObligationImposed": (MBE, {"type": "ResidenceObligationImposed",
                                         "place": "Leipzig", "valid_from": "2026-09-15",
                                         "valid_until": "2026-09-14"}),
    "ResidenceObligationLifted": (MBE, {"type": "ResidenceObligationLifted",
                                        "lifted_on": "2027-05-02", "reason": "again"}),
    "CooperationPlanAgreed": (VHS, {"type": "CooperationPlanAgreed",
                                    "agreed_on": "2026-10-20",
                                    "next_review_on": "2026-10-19"}),
    "CooperationPlanReviewed": (VHS, {"type": "CooperationPlanReviewed",
                                      "reviewed_on": "2026-10-19"}),
    "CaseTransferred": (MBE, {"type": "CaseTransferred", "to_agency": VHS}),
    "CaseClosed": (VHS, {"type": "CaseClosed", "reason": "not the lead"}),
    "CaseReopened": (LEAD, {"type": "CaseReopened", "reason": "not closed"}),
    "MilestoneAdded": (LEAD, {"type": "MilestoneAdded", "agreement_id": "a-9", "title": "x",
                              "due_on": "2027-01-15", "responsible_agency": VHS}),
    "MilestoneCancelled": (LEAD, {"type": "MilestoneCancelled", "agreement_id": "a-1",
                                  "milestone_id": "m-3", "reason": "again"}),
    "AgreementReviewed": (MBE, {"type": "AgreementReviewed", "agreement_id": "a-1",
                                "reviewed_on": "2027-03-02", "outcome": "after the end"}),
    "AgreementEnded": (LEAD, {"type": "AgreementEnded", "agreement_id": "a-1",
                              "ended_on": "2027-03-02", "how": "superseded"}),
}  # fmt: skip


def build_case(api: Api, upto: int) -> str:
    for agency_id in (LEAD, MBE, VHS):
        api.agency(agency_id, municipality="leipzig")
    case_id = api.open_case(LEAD, municipality="leipzig")
    for who, event in VALID[:upto]:
        response = api.post(who, case_id, **event)
        assert response.status_code == 201, (event["type"], response.text)
        assert response.json()["event"]["type"] == event["type"]
    return case_id


def test_every_event_type_is_accepted_when_valid(api: Api) -> None:
    case_id = build_case(api, len(VALID))
    types = [
        e["type"] for e in api.as_(MBE, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    ]
    assert types == ["CaseOpened"] + [event["type"] for _, event in VALID]
    closed = api.post(MBE, case_id, type="QualificationRecorded", title="x", country="UA")
    assert closed.status_code == 422
    assert closed.json()["code"] == "invalid-event"


def test_each_event_type_is_rejected_when_it_breaks_its_rule(api: Api) -> None:
    # One case for every refusal: each must change nothing, so the next meets the case
    # as the one before did.
    case_id = build_case(api, len(VALID) - 2)
    before = api.as_(LEAD, "GET", f"/v1/cases/{case_id}").json()["version"]
    answers: dict[str, tuple[int, str | None]] = {}
    for event_type, (who, event) in sorted(INVALID.items()):
        response = api.post(who, case_id, **event)
        answers[event_type] = (response.status_code, response.json().get("code"))
        assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").json()["version"] == before, event_type
    assert answers == dict.fromkeys(INVALID, (422, "invalid-event"))
