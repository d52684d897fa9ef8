"""Webhooks on both stores, delivered by the dispatcher in the test's own thread: signed
after the Standard Webhooks layout, retried after the receiver was down, picked up by a
restarted service, in feed order per case, never to an address off the allow-list, and
never carrying what the feed would withhold."""

import json
from datetime import date
from uuid import UUID

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from coordination.bootstrap import Services, bootstrap
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role
from coordination.services.webhooks.registry import Registered, WebhookRefused
from coordination.settings import Settings
from projections.runner import Follower
from tests.integration.test_statistics import ABH, MBE, Story
from tests.support import FakeClock
from tests.webhook_receiver import Receiver

WIDE = {"purposes": ["counselling"], "categories": ["identity", "education"],
        "evidence": {"method": "written"}, "given_on": date(2026, 9, 1)}  # fmt: skip


@pytest.fixture
def settings(database_url: str, hook_receiver: Receiver) -> Settings:
    return Settings(database_url=database_url, log_level="WARNING",
                    webhook_hosts=[hook_receiver.origin, "*.example.de"])  # fmt: skip


def admin_of(services: Services, agency_id: str) -> Caller:
    if services.directory.get_agency(agency_id) is None:
        services.directory.add_agency(Agency(agency_id, agency_id, AgencyKind.OTHER, "leipzig"))
    agency = services.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, Role.ADMIN, "t", f"{agency_id}-admin"), "test-request")


def register(services: Services, url: str, *types: str) -> Registered:
    return services.webhooks.register(admin_of(services, MBE), url, list(types))


def consented_case(services: Services, clock: FakeClock) -> tuple[Story, UUID]:
    """A case the authority opened, with the counselling service's consent."""
    s = Story(services, clock)
    case_id = s.open(ABH, "leipzig")
    s.record(ABH, case_id, "ConsentGranted", recipients=[MBE], consent_id="wide", **WIDE)
    return s, case_id


def deliver(services: Services) -> None:
    """The feed up to now, then one round of the dispatcher."""
    Follower(services.app, services.projection("feed"), batch_size=50).catch_up()
    services.dispatcher.run_once()


def test_a_delivery_is_signed_and_carries_what_the_feed_shows(
    services: Services, clock: FakeClock, hook_receiver: Receiver
) -> None:
    hook = register(services, hook_receiver.url, "QualificationRecorded")
    s, case_id = consented_case(services, clock)
    s.record(ABH, case_id, "QualificationRecorded", title="Pflegefachkraft", country="SY")
    deliver(services)

    [sent] = hook_receiver.received
    payload = Verifier(hook.secret).verify(sent.body, sent.headers)
    assert payload["type"] == "QualificationRecorded"
    assert payload["data"]["case_id"] == str(case_id)
    assert payload["data"]["data"]["title"] == "Pflegefachkraft"
    assert sent.headers["webhook-id"] == f"{hook.webhook.webhook_id}.2"  # its feed's 2nd
    with pytest.raises(Exception, match="signature"):
        Verifier("whsec_" + "A" * 43).verify(sent.body, sent.headers)
    [listed] = services.webhooks.deliveries(admin_of(services, MBE), hook.webhook.webhook_id, 0, 10)
    assert (listed.status, listed.attempts, listed.last_status) == ("delivered", 1, 204)


def test_deliveries_are_retried_after_the_receiver_was_down_and_survive_a_restart(
    services: Services, clock: FakeClock, hook_receiver: Receiver, settings: Settings
) -> None:
    s = Story(services, clock)
    hook = register(services, hook_receiver.url, "QualificationRecorded", "ConsentGranted")
    first, second = s.open(ABH, "leipzig"), s.open(ABH, "leipzig")
    for case_id in (first, second):
        s.record(ABH, case_id, "ConsentGranted", recipients=[MBE], consent_id="wide", **WIDE)
    hook_receiver.answer = 503
    deliver(services)
    assert len(hook_receiver.received) == 2  # one try of each case's first
    s.record(ABH, first, "QualificationRecorded", title="Elektriker", country="SY")
    deliver(services)
    assert len(hook_receiver.received) == 2  # not yet due, and the case's later one waits

    services.close()  # the service stops; another starts on the same store
    restarted = bootstrap(settings, clock)
    try:
        hook_receiver.answer = 204
        clock.advance(seconds=5)
        restarted.dispatcher.run_once()  # each case's first
        restarted.dispatcher.run_once()  # then the one that waited for its case's first
        bodies = [json.loads(r.body) for r in hook_receiver.received[2:]]
        assert [(b["data"]["case_id"], b["type"]) for b in bodies] == [
            (str(first), "ConsentGranted"), (str(second), "ConsentGranted"),
            (str(first), "QualificationRecorded"),
        ]  # fmt: skip
        listed = restarted.webhooks.deliveries(
            admin_of(restarted, MBE), hook.webhook.webhook_id, 0, 10
        )
        assert [(d.status, d.attempts) for d in listed] == [
            ("delivered", 2),
            ("delivered", 2),
            ("delivered", 1),
        ]
    finally:
        restarted.close()


def test_a_delivery_is_given_up_a_day_after_its_first_try(
    services: Services, clock: FakeClock, hook_receiver: Receiver
) -> None:
    hook = register(services, hook_receiver.url, "ConsentGranted")
    consented_case(services, clock)
    hook_receiver.answer = 500
    deliver(services)
    for _ in range(12):
        clock.advance(hours=4)
        services.dispatcher.run_once()
    [gone] = services.webhooks.deliveries(admin_of(services, MBE), hook.webhook.webhook_id, 0, 5)
    assert gone.status == "failed"
    assert len(hook_receiver.received) == gone.attempts < 14


def test_never_to_an_address_off_the_allow_list(
    services: Services, clock: FakeClock, hook_receiver: Receiver
) -> None:
    for url in ("https://intranet.local/hooks", "http://nothing.example.de/x",
                hook_receiver.url.replace("127.0.0.1", "localhost"), "ftp://a.example.de/",
                "https://user:pw@a.example.de/", "not a url"):  # fmt: skip
        with pytest.raises(WebhookRefused):
            register(services, url, "ConsentGranted")
    with pytest.raises(WebhookRefused, match="unknown event types"):
        register(services, "https://a.example.de/", "PersonMoved")

    # A host the allow-list names by its domain, whose name resolves to no public address,
    # is never contacted: the delivery stays pending with the reason.
    hook = register(services, "https://localhost.example.de/hooks", "ConsentGranted")
    consented_case(services, clock)
    deliver(services)
    [held] = services.webhooks.deliveries(admin_of(services, MBE), hook.webhook.webhook_id, 0, 5)
    assert held.status == "pending"
    assert held.last_error is not None
    assert "resolve" in held.last_error


def test_after_consent_is_withdrawn_a_retry_carries_only_what_may_still_be_seen(
    services: Services, clock: FakeClock, hook_receiver: Receiver
) -> None:
    register(services, hook_receiver.url, "QualificationRecorded")
    s, case_id = consented_case(services, clock)
    s.record(ABH, case_id, "QualificationRecorded", title="Pflegefachkraft", country="SY")
    hook_receiver.answer = 503
    deliver(services)
    s.record(ABH, case_id, "ConsentWithdrawn", consent_id="wide")
    hook_receiver.answer = 204
    clock.advance(seconds=5)
    deliver(services)

    before, after = (json.loads(r.body)["data"] for r in hook_receiver.received)
    assert before["data"]["title"] == "Pflegefachkraft"
    assert (after["data"], after["withheld"]) == (None, ["education"])
