"""The caseload over HTTP: what each agency has to do, read right after writing."""

from datetime import UTC, datetime
from typing import Any

import pytest

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.support import FakeClock

ABH, MBE, JC, VHS = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "jc-mayen-koblenz", "vhs-mk"


def caseload(api: Api, who: str, after: Any = None, **params: Any) -> dict[str, Any]:
    if after is not None:
        params["min_position"] = after.headers["X-Event-Position"]
    response = api.as_(who, "GET", "/v1/caseload", params=params)
    assert response.status_code == 200, response.text
    assert int(response.headers["X-Projection-Position"]) >= int(params.get("min_position", 0))
    body: dict[str, Any] = response.json()
    return body


def only(body: dict[str, Any]) -> dict[str, Any]:
    assert len(body["items"]) == 1, body
    item: dict[str, Any] = body["items"][0]
    return item


def test_the_caseload_follows_a_referral_through_its_life(api: Api) -> None:
    for agency in (ABH, MBE, JC, VHS):
        api.agency(agency)
    referral = {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
                "categories": ["identity"]}  # fmt: skip

    # 1. The foreigners authority opens a case: it is in its caseload as lead.
    case_id = api.open_case(ABH)
    lead_item = only(caseload(api, ABH, after=api.opened))
    assert (lead_item["case_id"], lead_item["roles"]) == (case_id, ["lead"])
    assert lead_item["display_name"] == "Amina Haddad"

    # 2. Consent, then a referral: the migration service sees it at once, to accept.
    grant = api.grant(ABH, case_id, MBE, ["counselling"], ["identity"], consent_id="c-1")
    assert grant.status_code == 201
    sent = api.post(ABH, case_id, **referral, referral_id="r-1")
    item = only(caseload(api, MBE, after=sent))
    assert item["roles"] == ["referral_recipient"]
    assert (item["open_referrals"], item["action_needed"]) == (1, True)
    assert item["display_name"] == "Amina Haddad"

    # 3. Accepted: still there, nothing pending.
    accepted = api.post(MBE, case_id, type="ReferralAccepted", referral_id="r-1")
    item = only(caseload(api, MBE, after=accepted))
    assert (item["open_referrals"], item["action_needed"]) == (1, False)

    # 4. Completed: nothing left to do for the migration service.
    done = api.post(MBE, case_id, type="ReferralCompleted", referral_id="r-1", outcome="ok")
    assert caseload(api, MBE, after=done)["items"] == []

    # 5. A new referral, then the consent is withdrawn: the case leaves its caseload.
    again = api.post(ABH, case_id, **referral, referral_id="r-2")
    assert only(caseload(api, MBE, after=again))["case_id"] == case_id
    withdrawn = api.post(ABH, case_id, type="ConsentWithdrawn", consent_id="c-1")
    assert caseload(api, MBE, after=withdrawn)["items"] == []

    # 6. Transferred to the job centre: it becomes the job centre's, not the authority's.
    api.grant(ABH, case_id, JC, ["case_management"], ["identity"])
    moved = api.post(ABH, case_id, type="CaseTransferred", to_agency=JC)
    assert caseload(api, ABH, after=moved)["items"] == []
    assert only(caseload(api, JC, after=moved))["roles"] == ["lead"]

    # 7. An agency with nothing to do on the case never sees it.
    assert caseload(api, VHS, after=moved)["items"] == []


def test_names_and_milestone_titles_need_consent(api: Api) -> None:
    for agency in (ABH, VHS):
        api.agency(agency)
    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, VHS, ["case_management"], ["integration_plan"])
    agreed = api.post(ABH, case_id, type="AgreementConcluded", signed_on="2026-09-01",
                      milestones=[{"title": "B1 erreicht", "due_on": "2026-08-01",
                                   "responsible_agency": VHS}])  # fmt: skip
    item = only(caseload(api, VHS, after=agreed))
    assert item["roles"] == ["milestone_owner"]
    assert item["display_name"] is None  # no consent for identity
    assert item["next_milestone"] == {"title": "B1 erreicht", "due_on": "2026-08-01"}
    assert (item["overdue_milestones"], item["action_needed"]) == (1, True)
    assert only(caseload(api, VHS, overdue="true"))["case_id"] == case_id
    assert caseload(api, VHS, role="lead")["items"] == []


def test_pages_return_every_case_once_while_others_write(api: Api) -> None:
    api.agency(ABH)
    case_ids = {api.open_case(ABH) for _ in range(7)}
    first = caseload(api, ABH, after=api.opened, limit=3)
    assert first["next_cursor"]
    # A write between pages does not move cases that still need no action.
    for case_id in case_ids:
        last = api.post(ABH, case_id, type="QualificationRecorded", title="x", country="SY")
    second = caseload(api, ABH, after=last, limit=3, cursor=first["next_cursor"])
    third = caseload(api, ABH, limit=3, cursor=second["next_cursor"])
    assert third["next_cursor"] is None
    seen = [i["case_id"] for page in (first, second, third) for i in page["items"]]
    assert sorted(seen) == sorted(case_ids)


def test_a_cursor_that_was_not_given_out_is_400(api: Api) -> None:
    api.agency(ABH)
    response = api.as_(ABH, "GET", "/v1/caseload", params={"cursor": "bm9wZQ"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad-request"


def test_auditors_read_the_caseload_of_an_agency_of_their_municipality(api: Api) -> None:
    api.agency(ABH)
    case_id = api.open_case(ABH)
    auditor = api.agency("kreis-mayen-koblenz", role=Role.AUDITOR)
    other = api.agency("stadt-leipzig", municipality="leipzig", role=Role.AUDITOR)
    assert api.opened is not None
    params = {"agency": ABH, "min_position": api.opened.headers["X-Event-Position"]}
    response = api.as_(auditor, "GET", "/v1/caseload", params=params)
    assert only(response.json())["case_id"] == case_id
    assert api.as_(other, "GET", "/v1/caseload", params=params).status_code == 404
    assert api.as_(auditor, "GET", "/v1/caseload").status_code == 403
    assert (
        api.as_(ABH, "GET", "/v1/caseload", params={"agency": "stadt-leipzig"}).status_code == 403
    )


@pytest.mark.parametrize("role", [Role.DPO, Role.ADMIN])
def test_other_roles_have_no_caseload(api: Api, role: Role) -> None:
    who = api.agency(ABH, role=role)
    assert api.as_(who, "GET", "/v1/caseload").status_code == 403


def test_an_expiring_consent_asks_for_action_and_expiry_needs_no_event(
    api: Api, clock: FakeClock
) -> None:
    for agency in (ABH, MBE):
        api.agency(agency)
    case_id = api.open_case(ABH)
    # The clock stands at 2026-09-01 09:00 UTC; valid until 2026-09-10 (German day).
    api.grant(ABH, case_id, MBE, ["counselling"], ["identity"], valid_until="2026-09-10")
    sent = api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
                    categories=["identity"])  # fmt: skip
    api.post(MBE, case_id, type="ReferralAccepted", referral_id="referral-1")

    # 1. Nine days before expiry: in the caseload, and flagged because expiry is near.
    item = only(caseload(api, MBE, after=sent))
    assert item["action_needed"] is True

    # 2. 2026-09-10 21:59 UTC is still the 10th in Germany: still there.
    clock.now = datetime(2026, 9, 10, 21, 59, tzinfo=UTC)
    assert only(caseload(api, MBE))["case_id"] == case_id

    # 3. From midnight in Germany the consent has expired: gone, with no event recorded.
    clock.now = datetime(2026, 9, 10, 22, 0, tzinfo=UTC)
    assert caseload(api, MBE)["items"] == []
    assert only(caseload(api, ABH))["case_id"] == case_id
