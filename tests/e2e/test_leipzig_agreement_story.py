"""Leipzig, 2011: each newcomer is counselled individually, and the results are held in
an integration agreement binding on both sides ("Fordern und Fördern"). Amina Haddad,
a nurse from Aleppo, is counselled by Caritas; she signs the agreement in Arabic; her
course obligation is met, her recognition is applied for and decided; at the review the
agreement is amended, one of the agencies' offers dropped, and the job centre's offer
runs late. The caseloads and the evaluation statistics show it.

Four others were counselled the same week and met their course obligations in
November too: the statistics show no cell of fewer than five people."""

from typing import Any

import httpx

from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api
from tests.people import PERSON
from tests.support import FakeClock

ABH, MBE, JC = "abh-leipzig", "mbe-caritas-leipzig", "jobcenter-leipzig"
KINDS = {ABH: AgencyKind.AUSLAENDERBEHOERDE, MBE: AgencyKind.MIGRATIONSBERATUNG,
         JC: AgencyKind.JOBCENTER}  # fmt: skip
AGREEMENT = "vereinbarung-1"
# The obligations concluded on 15 September: two of hers, three offers of the agencies.
COURSE = {"milestone_id": "course", "title": "Integrationskurs besuchen und abschließen",
          "due_on": "2026-12-15", "responsible_agency": MBE, "owner": "person",
          "area": "language"}  # fmt: skip
COURSE_PLACE = {"milestone_id": "course-place", "title": "Kursplatz vermitteln",
                "due_on": "2026-11-01", "responsible_agency": MBE, "owner": "agency",
                "area": "language"}  # fmt: skip
OBLIGATIONS = [
    COURSE, COURSE_PLACE,
    {"milestone_id": "recognition", "title": "Anerkennung als Pflegefachfrau beantragen",
     "due_on": "2026-10-31", "responsible_agency": MBE, "owner": "person", "area": "work"},
    {"milestone_id": "childcare", "title": "Kita-Platz für die Tochter vermitteln",
     "due_on": "2026-10-15", "responsible_agency": JC, "owner": "agency", "area": "education"},
    {"milestone_id": "flat", "title": "Bei der Wohnungssuche begleiten",
     "due_on": "2026-11-30", "responsible_agency": MBE, "owner": "agency", "area": "housing"},
]  # fmt: skip


def ok(response: httpx.Response, status: int = 201) -> httpx.Response:
    assert response.status_code == status, response.text
    return response


def counselled(api: Api, person: dict[str, Any]) -> str:
    """The foreigners authority opens the case; the newcomer consents that Caritas and the
    job centre receive what the agreement needs; Caritas counsels on referral."""
    case_id = api.open_case(ABH, person=person, municipality="leipzig")
    purposes = ["counselling", "case_management", "qualification_recognition"]
    categories = ["identity", "contact", "integration_plan", "education", "health"]
    ok(api.grant(ABH, case_id, MBE, purposes, categories))
    ok(api.grant(ABH, case_id, JC, ["case_management"], ["identity", "integration_plan"]))
    ok(api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
                categories=["identity", "contact"], referral_id="counselling"))  # fmt: skip
    ok(api.post(MBE, case_id, type="ReferralAccepted", referral_id="counselling"))
    ok(api.post(MBE, case_id, type="ReferralCompleted", referral_id="counselling",
                outcome="counselled; an agreement follows"))  # fmt: skip
    return case_id


def caseload_item(api: Api, who: str, case_id: str, after: httpx.Response) -> dict[str, Any]:
    params = {"min_position": after.headers["X-Event-Position"]}
    items = api.get(who, "/v1/caseload", params=params)["items"]
    (item,) = [i for i in items if i["case_id"] == case_id]
    return item


def test_the_leipzig_agreement_binds_both_sides_and_is_followed_up(
    api: Api, clock: FakeClock
) -> None:
    for agency, kind in KINDS.items():
        api.agency(agency, kind, municipality="leipzig")
    auditor = api.agency("stadt-leipzig-statistik", municipality="leipzig", role=Role.AUDITOR)
    amina = counselled(api, PERSON)
    others = [counselled(api, {**PERSON, "given_name": name}) for name in
              ("Omar", "Lina", "Yusuf", "Rana")]  # fmt: skip

    # 1. After counselling, Caritas concludes the agreement with her and the job centre:
    # what she brings and needs, her obligations and the agencies' offers.
    clock.advance(days=14)
    concluded = ok(api.post(
        MBE, amina, type="AgreementConcluded", agreement_id=AGREEMENT, signed_on="2026-09-15",
        parties=[JC], brings={"language_level": "A2",
                              "summary": "Arabisch, Englisch; Pflegefachfrau, 6 Jahre in Aleppo"},
        needs=["language_course", "recognition", "childcare", "housing"], milestones=OBLIGATIONS,
    ))  # fmt: skip
    assert concluded.json()["event"]["data"]["parties"] == [JC]
    ok(api.post(MBE, amina, type="HealthNeedsRecorded", agreement_id=AGREEMENT,
                needs="Kurs mit Pausen: Rückenschmerzen nach einer Verletzung"))  # fmt: skip
    # She signs it in Arabic and takes a copy home.
    ok(api.post(MBE, amina, type="AgreementAcknowledged", agreement_id=AGREEMENT,
                signed_on="2026-09-15", language="ar", copy_handed_over=True))  # fmt: skip
    for other in others:
        ok(api.post(MBE, other, type="AgreementConcluded", agreement_id=AGREEMENT,
                    signed_on="2026-09-15", milestones=[COURSE, COURSE_PLACE]))  # fmt: skip

    # The job centre, a party, reads the agreement, but not her health: no consent for it.
    seen = api.get(JC, f"/v1/cases/{amina}")
    agreement = seen["agreements"][0]
    assert (agreement["parties"], agreement["acknowledged_on"]) == ([JC], "2026-09-15")
    assert {m["milestone_id"]: m["owner"] for m in agreement["milestones"].values()} == {
        "course": "person", "recognition": "person", "course-place": "agency",
        "childcare": "agency", "flat": "agency"}  # fmt: skip
    history = api.get(JC, f"/v1/cases/{amina}/history")["events"]
    health = next(e for e in history if e["type"] == "HealthNeedsRecorded")
    assert (health["data"], health["withheld"]) == (None, ["health"])
    assert "Rückenschmerzen" not in str(history)

    # 2. October: her qualification recorded and the recognition applied for at the
    # competent body: her obligation met, on time.
    clock.advance(days=35)
    ok(api.post(MBE, amina, type="QualificationRecorded", title="Pflegefachfrau (Bachelor)",
                country="SY", qualification_id="nursing"))  # fmt: skip
    ok(api.post(MBE, amina, type="RecognitionApplied", qualification_id="nursing",
                competent_body="Landesdirektion Sachsen", reference_profession="Pflegefachfrau",
                filed_on="2026-10-20"))  # fmt: skip
    ok(api.post(MBE, amina, type="MilestoneMet", agreement_id=AGREEMENT,
                milestone_id="recognition", met_on="2026-10-20"))  # fmt: skip

    # 3. November: the decision asks for an adaptation course; Caritas found each of the
    # five a course place, and all five pass the course (DTZ B1). At the review the
    # agreement is amended: her adaptation course added, the flat search dropped (the
    # family found a flat), the next review set for December.
    clock.advance(days=31)
    ok(api.post(MBE, amina, type="RecognitionDecided", qualification_id="nursing",
                outcome="compensation_required", decided_on="2026-11-18"))  # fmt: skip
    for case_id in [amina, *others]:
        ok(api.post(MBE, case_id, type="MilestoneMet", agreement_id=AGREEMENT,
                    milestone_id="course-place", met_on="2026-11-02"))  # fmt: skip
        ok(api.post(MBE, case_id, type="MilestoneMet", agreement_id=AGREEMENT,
                    milestone_id="course", met_on="2026-11-20", note="DTZ B1"))  # fmt: skip
    ok(api.post(MBE, amina, type="AgreementReviewed", agreement_id=AGREEMENT,
                reviewed_on="2026-11-20", outcome="Kurs bestanden; Anpassungslehrgang folgt",
                next_review_on="2026-12-01"))  # fmt: skip
    ok(api.post(MBE, amina, type="MilestoneAdded", agreement_id=AGREEMENT,
                milestone_id="adaptation", title="Anpassungslehrgang beginnen",
                due_on="2027-02-01", responsible_agency=MBE, owner="person", area="work",
                reason="Bescheid: Ausgleichsmaßnahme erforderlich"))  # fmt: skip
    cancelled = {"type": "MilestoneCancelled", "agreement_id": AGREEMENT, "milestone_id": "flat",
                 "reason": "Die Familie hat selbst eine Wohnung"}  # fmt: skip
    last = ok(api.post(MBE, amina, **cancelled))

    # 4. On 2 December the job centre's childcare place is overdue, an agencies' offer;
    # the review is due for Caritas, which concluded it, and for the lead.
    clock.advance(days=12)
    lead = caseload_item(api, ABH, amina, after=last)
    assert (lead["overdue_milestones"], lead["overdue_by_side"]) == (1, {"person": 0, "agency": 1})
    assert (lead["reviews_due"], lead["action_needed"]) == (1, True)
    counsel = caseload_item(api, MBE, amina, after=last)
    assert (counsel["overdue_milestones"], counsel["reviews_due"]) == (0, 1)
    assert counsel["next_milestone"] == {"title": "Anpassungslehrgang beginnen",
                                         "due_on": "2027-02-01"}  # fmt: skip
    jobcentre = caseload_item(api, JC, amina, after=last)
    assert jobcentre["overdue_by_side"] == {"person": 0, "agency": 1}
    assert jobcentre["reviews_due"] == 0
    overdue = api.get(JC, "/v1/caseload", params={"overdue": "true"})["items"]
    assert [i["case_id"] for i in overdue] == [amina]

    # 5. The evaluation: in November five people met an obligation of their own, and the
    # agencies met one offer to each of them (late: due on 1 November). October's single
    # recognition stays below five people and is suppressed.
    position = last.headers["X-Event-Position"]
    span = {"from": "2026-09", "to": "2026-11", "min_position": position}
    months = api.get(auditor, "/v1/statistics", params=span)
    september, october, november = months["months"]
    assert september["agreements_concluded"] == {"people": 5, "events": 5, "suppressed": False}
    five = {"people": 5, "events": 5, "suppressed": False}
    assert november["obligations_met"] == {"people": 5, "events": 10, "suppressed": False}
    assert november["obligations_met_by_side"] == {"person": five, "agency": five}
    assert november["milestones_met_by_timeliness"] == {"on_time": five, "late": five}
    assert october["obligations_met"]["suppressed"] is True

    # Her whole path replays in the history, in the order it happened.
    kinds = [e["type"] for e in api.get(MBE, f"/v1/cases/{amina}/history")["events"]]
    path = ["AgreementConcluded", "HealthNeedsRecorded", "AgreementAcknowledged",
            "QualificationRecorded", "RecognitionApplied", "MilestoneMet",
            "RecognitionDecided", "MilestoneMet", "MilestoneMet", "AgreementReviewed",
            "MilestoneAdded", "MilestoneCancelled"]  # fmt: skip
    assert [k for k in kinds if k in path] == path
