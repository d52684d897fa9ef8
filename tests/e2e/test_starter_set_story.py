"""The starter set is law on a new store: a course provider tells the foreigners authority
that a person obliged to attend does not take part properly (§ 88a Abs. 1 Satz 2
AufenthG, § 8 Abs. 3 IntV) without the person's consent, the authority reads the course
result under the same rule, and the trail and the person's report name that norm."""

from datetime import UTC, datetime, timedelta

import pytest

from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api
from tests.support import FakeClock

ABH, VHS = "abh-mayen-koblenz", "vhs-mayen-koblenz"
RULE = "aufenthg-88a-improper-participation"
CITATION = "§ 88a Abs. 1 Satz 2 AufenthG; § 8 Abs. 3 Satz 1 IntV"


@pytest.fixture
def clock() -> FakeClock:
    """After `migrate` recorded the starter set: the rule book held it by then."""
    return FakeClock(datetime.now(UTC) + timedelta(minutes=1))


def test_a_course_provider_reports_improper_participation_under_the_starter_rule(
    api: Api, clock: FakeClock
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(VHS, AgencyKind.SPRACHKURSTRAEGER)
    dpo = api.agency("kreis-mayen-koblenz", role=Role.DPO)
    case_id = api.open_case(ABH)
    granted = api.grant(ABH, case_id, VHS, ["language_course"], ["identity", "contact"])
    assert granted.status_code == 201, granted.text
    assigned = api.post(ABH, case_id, type="CourseAssigned", course_type="integration_course",
                        provider=VHS)  # fmt: skip
    assert assigned.status_code == 201, assigned.text

    # No consent names the foreigners authority: the law is the basis.
    clock.advance(days=30)
    reported = api.post(VHS, case_id, type="ReferralSent", to_agency=ABH,
                        purpose="language_course", categories=["identity", "language"])  # fmt: skip
    assert reported.status_code == 201, reported.text
    completed = api.post(VHS, case_id, type="CourseCompleted", course_id="course-1",
                         result="below_A2", completed_on=clock.now.date().isoformat())  # fmt: skip
    assert completed.status_code == 201, completed.text
    seen = api.as_(ABH, "GET", f"/v1/cases/{case_id}").json()
    assert [c["result"] for c in seen["courses"]] == ["below_A2"]

    trail = api.as_(dpo, "GET", f"/v1/cases/{case_id}/consent-trail").json()
    (report_step,) = [s for s in trail["timeline"]
                      if s["step"] == "disclosure" and s["recipients"] == [ABH]]  # fmt: skip
    assert report_step["basis"] == {"identity": f"statute:{RULE}", "language": f"statute:{RULE}"}
    assert trail["unfounded_disclosures"] == []

    report = api.as_(dpo, "GET", f"/v1/cases/{case_id}/disclosure-report").json()
    to_abh = [r for r in report["received"] if r["agency"] == ABH]
    assert [(r["consents"], r["norms"]) for r in to_abh] == [([], [CITATION])]
    language = next(r for r in report["read"] if (r["agency"], r["category"]) == (ABH, "language"))
    assert (language["norm"], language["consent_id"]) == (CITATION, None)
