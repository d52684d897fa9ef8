"""Emergency access: a counselling service whose client collapsed opens the withheld
parts of the case, stating why; it reads them for a day at most, every read is logged
under the access, the DPO sees it in the overview and the trail, and the person in
their report. An agency with no relation to the case cannot open it."""

import json

from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api
from tests.support import FakeClock

ABH, MBE, VHS = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "vhs-mayen-koblenz"
WHY = (
    "collapsed at the counselling office;\n" * 40
    + "the emergency doctor asks for the residence status"
)
EMERGENCY = {"type": "EmergencyAccessOpened", "justification": WHY}


def related_case(api: Api) -> tuple[str, str]:
    """The counselling service holds identity on consent; residence stays with the ABH."""
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    api.agency(VHS, AgencyKind.SPRACHKURSTRAEGER)
    dpo = api.agency("kreis-mayen-koblenz", role=Role.DPO)
    case_id = api.open_case(ABH)
    assert api.grant(ABH, case_id, MBE, ["counselling"], ["identity"]).status_code == 201
    sent = api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
                    categories=["identity"])  # fmt: skip
    assert sent.status_code == 201, sent.text
    return dpo, case_id


def test_an_emergency_access_opens_the_case_for_a_day_and_is_on_every_record(
    api: Api, clock: FakeClock
) -> None:
    dpo, case_id = related_case(api)
    assert "residence" in api.get(MBE, f"/v1/cases/{case_id}")["withheld"]

    clock.advance(minutes=5)
    opened = api.post(MBE, case_id, **EMERGENCY)
    assert opened.status_code == 201, opened.text
    access_id = opened.json()["event"]["data"]["access_id"]

    clock.advance(minutes=1)
    seen = api.get(MBE, f"/v1/cases/{case_id}")
    assert seen["residence_status"] == "aufenthaltserlaubnis"
    assert seen["withheld"] == []

    # The DPO is alerted: the overview lists it, why, and the read under it.
    overview = api.as_(dpo, "GET", "/v1/dpo/overview").json()
    (alert,) = overview["emergencies"]
    assert (alert["case_id"], alert["agency"], alert["justification"]) == (case_id, MBE, WHY)
    assert alert["reads"] == 1

    trail = api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    steps = [s for s in trail["timeline"] if s["agency"] == MBE]
    kinds = ["read", "withheld", "emergency-access-opened", "read"]
    assert [s["step"] for s in steps] == kinds
    assert steps[2]["reason"] == WHY
    assert steps[3]["basis"]["residence"] == f"emergency:{access_id}"
    assert steps[3]["basis"]["identity"] == "consent-1"

    report = api.as_(dpo, "GET", f"/v1/cases/{case_id}/disclosure-report").json()
    (use,) = report["emergency_accesses"]
    assert (use["agency"], use["reads"], use["justification"]) == (MBE, 1, WHY)
    by_category = {r["category"]: r for r in report["read"] if r["agency"] == MBE}
    assert by_category["residence"]["emergency_access"] == access_id
    assert by_category["residence"]["norm"].startswith("Art. 6 Abs. 1 lit. d")
    assert by_category["identity"]["consent_id"] == "consent-1"

    # The person's copy prints, however long the justification.
    pdf = api.as_(dpo, "GET", f"/v1/cases/{case_id}/disclosure-report",
                  params={"format": "pdf"})  # fmt: skip
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")

    # The foreigners authority leads the case: its trail and its copy of the report show
    # that the access was opened and read under, not why.
    lead_trail = api.as_(ABH, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    assert [u["justification"] for u in lead_trail["emergency_accesses"]] == [None]
    assert WHY not in json.dumps(lead_trail)
    lead_report = api.as_(ABH, "GET", f"/v1/cases/{case_id}/disclosure-report").json()
    assert [(u["justification"], u["reads"]) for u in lead_report["emergency_accesses"]] == [
        (None, 1)
    ]

    # The foreigners authority, related too, sees that it was opened, not why.
    history = api.as_(ABH, "GET", f"/v1/cases/{case_id}/history").json()["events"]
    opened_event = next(e for e in history if e["type"] == "EmergencyAccessOpened")
    assert "justification" not in opened_event["data"]
    assert opened_event["data"]["access_id"] == access_id

    # A day later it is over: the residence status is withheld again.
    clock.advance(hours=24)
    assert "residence" in api.get(MBE, f"/v1/cases/{case_id}")["withheld"]


def test_an_agency_ends_its_emergency_access_and_cannot_open_two_at_once(
    api: Api, clock: FakeClock
) -> None:
    _, case_id = related_case(api)
    opened = api.post(MBE, case_id, **EMERGENCY)
    assert opened.status_code == 201, opened.text
    access_id = opened.json()["event"]["data"]["access_id"]

    second = api.post(MBE, case_id, **EMERGENCY)
    assert second.status_code == 422, second.text
    assert access_id in second.json()["detail"]
    by_other = api.post(ABH, case_id, type="EmergencyAccessEnded", access_id=access_id)
    assert by_other.status_code == 422, by_other.text

    clock.advance(minutes=10)
    ended = api.post(MBE, case_id, type="EmergencyAccessEnded", access_id=access_id)
    assert ended.status_code == 201, ended.text
    clock.advance(minutes=1)
    assert "residence" in api.get(MBE, f"/v1/cases/{case_id}")["withheld"]


def test_emergency_access_is_refused_without_a_relation_and_to_other_roles(api: Api) -> None:
    dpo, case_id = related_case(api)
    auditor = api.agency("stadt-mayen", role=Role.AUDITOR)

    unrelated = api.post(VHS, case_id, **EMERGENCY)
    assert unrelated.status_code == 404, unrelated.text
    as_auditor = api.post(auditor, case_id, **EMERGENCY)
    assert as_auditor.status_code == 403, as_auditor.text
    without_reason = api.post(MBE, case_id, type="EmergencyAccessOpened")
    assert without_reason.status_code == 422, without_reason.text

    trail = api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    assert trail["emergency_accesses"] == []
    assert (VHS, "no-relation") in [(r["agency"], r["reason"]) for r in trail["refused"]]
