"""A referral is answered in the inbox itself: declined with a reason, the caseworker
stays in her inbox, and the sender's case shows the answer."""

import time

import httpx

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind
from tests.e2e.conftest import Api
from tests.e2e.web import account, hidden, sign_in

ABH, MBE = "abh-mk", "mbe-mk"


def inbox_until(browser: httpx.Client, text: str) -> str:
    """The inbox, once the caseload has taken in what was just recorded."""
    deadline = time.monotonic() + 10
    while text not in (page := browser.get("/inbox").text) and time.monotonic() < deadline:
        time.sleep(0.1)
    return page


def test_the_migration_service_declines_a_referral_in_its_inbox(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, MBE, ["counselling"], ["identity", "contact"])
    sent = api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
                    categories=["identity", "contact"])  # fmt: skip
    referral_id = sent.json()["event"]["data"]["referral_id"]
    sign_in(browser, account(services, MBE, "mira@mbe.example"))

    page = inbox_until(browser, f'value="{referral_id}"')
    assert "Weiterleitung von Abh-Mk" in page
    answered = browser.post(f"/cases/{case_id}/events/ReferralDeclined", data={
        "csrf_token": hidden(page)["csrf_token"], "referral_id": referral_id,
        "reason": "no capacity until March", "idempotency_key": f"inbox-decline-{referral_id}",
        "return_to": "inbox",
    })  # fmt: skip

    assert answered.status_code == 303
    assert answered.headers["location"] == "/inbox?answered=ReferralDeclined"
    assert "Erfasst: Weiterleitung abgelehnt" in browser.get(answered.headers["location"]).text
    referrals = api.get(ABH, f"/v1/cases/{case_id}")["referrals"]
    assert referrals[0]["status"] == "declined"
    history = api.get(MBE, f"/v1/cases/{case_id}/history")["events"]
    declined = next(e for e in history if e["type"] == "ReferralDeclined")
    assert declined["data"]["reason"] == "no capacity until March"
    assert declined["recorded_by"]["user"]  # the person who declined it
    assert f'value="{referral_id}"' not in inbox_until(browser, "Es warten keine")
