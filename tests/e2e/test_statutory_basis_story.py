"""A transfer the law provides for needs no consent: the foreigners authority assigns a
course and the provider receives and reads what the rule covers; the trail and the
person's report name the norm; once the rule is retired, the next transfer needs a
consent again. Where no rule applies, consent works as it always did."""

from typing import Any

from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api
from tests.people import PERSON
from tests.support import FakeClock

ABH, VHS, MBE = "abh-mayen-koblenz", "vhs-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
RULE_ID = "land-course-assignment"
CITATION = "§ 9 Landesintegrationsgesetz (Beispiel)"
RULE: dict[str, Any] = {
    "rule_id": RULE_ID, "from_kinds": ["auslaenderbehoerde"], "to_kinds": ["sprachkurstraeger"],
    "categories": ["identity", "contact"], "purpose": "language_course",
    "norm": {"citation": CITATION,
             "text": "the foreigners authority tells the course provider whom it assigned"},
    "valid_from": "2026-01-01", "reason": "Land law of this deployment, reviewed by the DPO",
}  # fmt: skip
COURSE = {"type": "CourseAssigned", "course_type": "integration_course", "provider": VHS}


def setup(api: Api) -> tuple[str, str, str]:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(VHS, AgencyKind.SPRACHKURSTRAEGER)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    admin = api.agency("kreis-mayen-koblenz", role=Role.ADMIN)
    dpo = api.agency("kreis-mayen-koblenz", role=Role.DPO)
    added = api.as_(admin, "POST", "/v1/statutory-rules", json=RULE)
    assert added.status_code == 201, added.text
    return admin, dpo, api.open_case(ABH)


def test_a_course_assignment_under_a_rule_needs_no_consent_and_names_its_norm(
    api: Api, clock: FakeClock
) -> None:
    admin, dpo, case_id = setup(api)

    clock.advance(minutes=1)
    assigned = api.post(ABH, case_id, **COURSE)
    assert assigned.status_code == 201, assigned.text

    # The provider reads who the person is and how to reach them: the rule's categories.
    clock.advance(minutes=1)
    seen = api.get(VHS, f"/v1/cases/{case_id}")
    assert seen["person"]["family_name"] == PERSON["family_name"]
    assert "residence" in seen["withheld"]

    trail = api.get(dpo, f"/v1/cases/{case_id}/consent-trail")
    (disclosure,) = [s for s in trail["timeline"] if s["step"] == "disclosure"]
    by_law = f"statute:{RULE_ID}"
    assert disclosure["basis"] == {"contact": by_law, "identity": by_law}
    reads = [s for s in trail["timeline"] if s["step"] == "read" and s["agency"] == VHS]
    assert reads
    assert reads[0]["basis"]["identity"] == by_law

    report = api.get(dpo, f"/v1/cases/{case_id}/disclosure-report")
    (received,) = report["received"]
    assert (received["agency"], received["consents"], received["norms"]) == (VHS, [], [CITATION])
    read = {(r["agency"], r["category"]): r for r in report["read"]}
    assert read[VHS, "identity"]["consent_id"] is None
    assert read[VHS, "identity"]["norm"] == CITATION
    assert read[VHS, "identity"]["purposes"] == ["language_course"]

    # The deployment retires the rule: the next assignment needs the person's consent.
    clock.advance(minutes=1)
    retired = api.as_(admin, "POST", f"/v1/statutory-rules/{RULE_ID}/retirement",
                      json={"reason": "the Land repealed § 9"})  # fmt: skip
    assert retired.status_code == 201, retired.text
    clock.advance(minutes=1)
    again = api.post(ABH, case_id, **COURSE)
    assert again.status_code == 403, again.text
    assert again.json()["code"] == "consent-required"

    # The first transfer still rests on the rule as it stood then.
    trail = api.get(dpo, f"/v1/cases/{case_id}/consent-trail")
    (disclosure,) = [s for s in trail["timeline"] if s["step"] == "disclosure"]
    assert disclosure["basis"]["identity"] == by_law


def test_a_rule_covers_only_its_direction_and_kinds(api: Api, clock: FakeClock) -> None:
    _, _, case_id = setup(api)
    granted = api.grant(ABH, case_id, MBE, ["counselling"], ["identity"])
    assert granted.status_code == 201, granted.text
    sent = api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
                    categories=["identity"])  # fmt: skip
    assert sent.status_code == 201, sent.text

    # The counselling service is no foreigners authority: the rule does not carry its
    # assignment to the provider.
    clock.advance(minutes=1)
    by_mbe = api.post(MBE, case_id, **COURSE)
    assert by_mbe.status_code == 403, by_mbe.text
    assert by_mbe.json()["categories"] == ["contact", "identity"]


def test_the_report_names_each_read_by_the_rule_as_it_stood_then(
    api: Api, clock: FakeClock
) -> None:
    admin, dpo, case_id = setup(api)
    assert api.post(ABH, case_id, **COURSE).status_code == 201
    clock.advance(minutes=1)
    assert api.as_(VHS, "GET", f"/v1/cases/{case_id}").status_code == 200

    clock.advance(minutes=1)
    amended = {k: v for k, v in RULE.items() if k != "rule_id"} | {
        "norm": {"citation": "§ 9 Abs. 2 Landesintegrationsgesetz (Beispiel)",
                 "text": "as amended"}, "reason": "the Land amended § 9"}  # fmt: skip
    changed = api.as_(admin, "PUT", f"/v1/statutory-rules/{RULE_ID}", json=amended)
    assert changed.status_code == 200, changed.text
    clock.advance(minutes=1)
    assert api.as_(VHS, "GET", f"/v1/cases/{case_id}").status_code == 200

    report = api.as_(dpo, "GET", f"/v1/cases/{case_id}/disclosure-report").json()
    identity = [r for r in report["read"] if (r["agency"], r["category"]) == (VHS, "identity")]
    assert [(r["norm"], r["times"]) for r in identity] == [
        (CITATION, 1),
        ("§ 9 Abs. 2 Landesintegrationsgesetz (Beispiel)", 1),
    ]
