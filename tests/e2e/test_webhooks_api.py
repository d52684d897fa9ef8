"""An agency's admin registers a webhook over the API; the service, serving, delivers
the referrals sent to the agency to it, signed; the admin follows each delivery."""

import time

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.e2e.conftest import Api, body
from tests.webhook_receiver import Receiver

ABH, JC = "abh-mk", "jc-mk"


@pytest.fixture
def settings(database_url: str, hook_receiver: Receiver) -> Settings:
    return Settings(database_url=database_url, log_level="WARNING",
                    webhook_hosts=[hook_receiver.origin])  # fmt: skip


def test_the_job_centre_receives_referrals_at_its_webhook(
    api: Api, hook_receiver: Receiver
) -> None:
    api.agency(ABH)
    api.agency(JC)
    admin = api.agency(JC, role=Role.ADMIN)
    registered = body(api.as_(admin, "POST", "/v1/webhooks", json={
        "url": hook_receiver.url, "event_types": ["ReferralSent"]}), 201)  # fmt: skip
    assert registered["secret"].startswith("whsec_")

    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, JC, ["job_placement"], ["identity"])
    body(api.post(ABH, case_id, type="ReferralSent", to_agency=JC, purpose="job_placement",
                  categories=["identity"], referral_id="r-1"), 201)  # fmt: skip
    deadline = time.monotonic() + 10
    while not hook_receiver.received and time.monotonic() < deadline:
        time.sleep(0.05)

    [sent] = hook_receiver.received  # the referral only: the consent was not asked for
    payload = Verifier(registered["secret"]).verify(sent.body, sent.headers)
    assert (payload["type"], payload["data"]["case_id"]) == ("ReferralSent", case_id)
    hook = f"/v1/webhooks/{registered['webhook_id']}"
    deliveries = api.get(admin, f"{hook}/deliveries")["items"]
    while deliveries[0]["status"] == "pending" and time.monotonic() < deadline:
        deliveries = api.get(admin, f"{hook}/deliveries")["items"]
    assert [(d["type"], d["status"]) for d in deliveries] == [("ReferralSent", "delivered")]
    assert api.get(admin, hook)["retired_at"] is None
    assert body(api.as_(admin, "DELETE", hook))["retired_at"] is not None


def test_webhooks_are_kept_to_their_agency_and_to_the_allow_list(
    api: Api, hook_receiver: Receiver
) -> None:
    api.agency(JC)
    admin, other = api.agency(JC, role=Role.ADMIN), api.agency(ABH, role=Role.ADMIN)
    refused = api.as_(admin, "POST", "/v1/webhooks", json={
        "url": "https://192.168.0.10/hooks", "event_types": ["ReferralSent"]})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["code"] == "webhook-refused"
    assert api.as_(JC, "GET", "/v1/webhooks").status_code == 403  # a case worker's token
    hook = body(api.as_(admin, "POST", "/v1/webhooks", json={
        "url": hook_receiver.url, "event_types": ["ReferralSent"]}), 201)  # fmt: skip
    assert api.as_(other, "GET", f"/v1/webhooks/{hook['webhook_id']}").status_code == 404
    assert api.get(other, "/v1/webhooks")["webhooks"] == []
    for bad in (
        {"url": hook_receiver.url},
        {"url": hook_receiver.url, "event_types": []},
        {"url": hook_receiver.url, "event_types": ["ReferralSent"], "secret": "x"},
    ):
        assert api.as_(admin, "POST", "/v1/webhooks", json=bad).status_code == 422
