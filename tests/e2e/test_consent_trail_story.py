"""The consent trail tells a case's story: each step in order, with the consent it
rested on or the reason it was refused; and who may read what, right now."""

from datetime import UTC, datetime
from typing import Any

from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api
from tests.support import FakeClock

ABH, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
DPO_AGENCY = "kreis-mayen-koblenz"
REFERRAL = {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
            "categories": ["identity", "contact"]}  # fmt: skip
SHARED = ["contact", "identity", "residence"]


def trail(api: Api, who: str, case_id: str) -> dict[str, Any]:
    response = api.as_(who, "GET", f"/v1/cases/{case_id}/consent-trail")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def access_of(document: dict[str, Any], agency: str) -> dict[str, list[dict[str, Any]]]:
    rows = document["current_access"]["agencies"]
    cells: dict[str, list[dict[str, Any]]] = next(r for r in rows if r["agency"] == agency)["cells"]
    return {category: covers for category, covers in cells.items() if covers}


def story(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each step as (step, agency, categories, its consent, basis or refusal reason)."""
    return [
        (s["step"], s["agency"], s["categories"], s["basis"] or s["reason"] or s["consent_id"])
        for s in document["timeline"]
    ]


def setup(api: Api) -> tuple[str, str]:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    dpo = api.agency(DPO_AGENCY, role=Role.DPO)
    return dpo, api.open_case(ABH)


def test_the_trail_shows_grant_referral_read_withdrawal_and_refusals_in_order(
    api: Api, clock: FakeClock
) -> None:
    dpo, case_id = setup(api)

    # 1. The person consents: the migration service may have identity, contact and
    #    residence status for counselling.
    clock.advance(minutes=1)
    granted = api.grant(ABH, case_id, MBE, ["counselling"], SHARED)
    assert granted.status_code == 201, granted.text
    consent_id = granted.json()["event"]["data"]["consent_id"]
    on_consent = dict.fromkeys(SHARED, consent_id)

    # 2. The foreigners authority refers the case to the migration service.
    clock.advance(minutes=1)
    assert api.post(ABH, case_id, **REFERRAL).status_code == 201

    # 3. The migration service reads the case, on the consent.
    clock.advance(minutes=1)
    assert api.as_(MBE, "GET", f"/v1/cases/{case_id}").json()["person"]["family_name"] == "Haddad"
    before = trail(api, dpo, case_id)
    assert access_of(before, MBE) == {c: [{"consent_id": consent_id, "expires_at": None}]
                                      for c in SHARED}  # fmt: skip

    # 4. The person withdraws the consent.
    clock.advance(minutes=1)
    withdrawal = api.post(ABH, case_id, type="ConsentWithdrawn", consent_id=consent_id)
    assert withdrawal.status_code == 201
    assert access_of(trail(api, dpo, case_id), MBE) == {}

    # 5. The migration service reads again: its categories are withheld.
    clock.advance(minutes=1)
    assert api.as_(MBE, "GET", f"/v1/cases/{case_id}").json().get("person") is None

    # 6. A second referral is refused.
    clock.advance(minutes=1)
    assert api.post(ABH, case_id, **REFERRAL).status_code == 403

    document = trail(api, dpo, case_id)
    assert story(document) == [
        ("consent-granted", ABH, SHARED, consent_id),
        ("disclosure", ABH, ["contact", "identity"], {"contact": consent_id,
                                                      "identity": consent_id}),
        ("read", MBE, SHARED, on_consent),
        ("consent-withdrawn", ABH, SHARED, consent_id),
        ("withheld", MBE, SHARED, "no-consent"),
        ("refused", ABH, ["contact", "identity"], f"consent-required: {MBE} for counselling"),
    ]  # fmt: skip
    times = [s["at"] for s in document["timeline"]]
    assert times == sorted(times)

    (consent,) = document["consents"]
    assert consent["status"] == "withdrawn"
    assert consent["granted"]["agency"] == ABH
    assert consent["withdrawn"]["at"] == consent["ended_at"]
    assert [(d["version"], d["recipient"], d["purpose"]) for d in consent["disclosures"]] == [
        (3, MBE, "counselling")
    ]
    assert document["unfounded_disclosures"] == []
    # The DPO's own looks at the trail are on the log, but not in the story.
    assert [r["basis"] for r in document["reads"] if r["agency"] == DPO_AGENCY] == [
        {"role": "dpo"}
    ] * 2


def test_current_access_ends_at_the_instant_a_consent_expires(api: Api, clock: FakeClock) -> None:
    dpo, case_id = setup(api)
    url = f"/v1/cases/{case_id}"
    # A consent valid until 1 September holds through that German day: until
    # 22:00 UTC (midnight in Berlin, summer time). No job runs at that instant.
    midnight_in_berlin = datetime(2026, 9, 1, 22, 0, tzinfo=UTC)
    clock.now = datetime(2026, 9, 1, 21, 59, 59, tzinfo=UTC)
    granted = api.grant(ABH, case_id, MBE, ["counselling"], SHARED, valid_until="2026-09-01")
    consent_id = granted.json()["event"]["data"]["consent_id"]

    # 1. One second before midnight the migration service may read, until midnight.
    before = trail(api, dpo, case_id)
    cover = {"consent_id": consent_id, "expires_at": "2026-09-01T22:00:00Z"}
    assert access_of(before, MBE) == {c: [cover] for c in SHARED}
    assert before["consents"][0]["status"] == "active"
    assert api.as_(MBE, "GET", url).json()["person"]["family_name"] == "Haddad"

    # 2. At midnight the consent has expired: the next request sees it.
    clock.now = midnight_in_berlin
    after = trail(api, dpo, case_id)
    assert access_of(after, MBE) == {}
    assert after["consents"][0]["status"] == "expired"
    assert after["consents"][0]["ended_at"] == "2026-09-01T22:00:00Z"
    assert api.as_(MBE, "GET", url).json().get("person") is None
    assert api.post(ABH, case_id, **REFERRAL).json()["code"] == "consent-required"

    assert story(trail(api, dpo, case_id)) == [
        ("consent-granted", ABH, SHARED, consent_id),
        ("read", MBE, SHARED, dict.fromkeys(SHARED, consent_id)),
        ("consent-expired", None, SHARED, consent_id),
        ("withheld", MBE, SHARED, "no-consent"),
        ("refused", ABH, ["contact", "identity"], f"consent-required: {MBE} for counselling"),
    ]
