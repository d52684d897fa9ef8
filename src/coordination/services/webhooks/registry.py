"""An agency's admin registers webhooks, lists them with their deliveries, and retires
them. A webhook takes the agency's feed from the moment it is registered: what happened
before is in the feed and the case histories."""

import base64
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.webhooks import Delivery, Webhook, WebhookStore
from coordination.domain.catalogue import CATALOGUE
from coordination.domain.identity import Caller
from coordination.services.webhooks.endpoints import EndpointRefused, check_endpoint
from projections.feed.view import FeedView

MAX_PER_AGENCY = 10


class WebhookRefused(ValueError):
    """The webhook cannot be registered as asked."""


class NoSuchWebhook(LookupError):
    """No webhook by that id for the caller's agency."""


@dataclass(frozen=True)
class Registered:
    webhook: Webhook
    secret: str  # shown once, at registration


class WebhookService:
    def __init__(
        self, store: WebhookStore, feed: FeedView, access_log: AccessLog, hosts: list[str],
        clock: Callable[[], datetime],
    ) -> None:  # fmt: skip
        self.store, self.feed, self.access_log = store, feed, access_log
        self.hosts, self.clock = hosts, clock

    def register(self, caller: Caller, url: str, event_types: list[str]) -> Registered:
        unknown = sorted(set(event_types) - set(CATALOGUE))
        if unknown or not event_types:
            raise WebhookRefused(f"unknown event types: {', '.join(unknown) or 'none named'}")
        try:
            check_endpoint(url, self.hosts)
        except EndpointRefused as refused:
            raise WebhookRefused(str(refused)) from None
        agency = caller.agency_id
        if len([w for w in self.store.of_agency(agency) if w.retired_at is None]) >= MAX_PER_AGENCY:
            raise WebhookRefused(f"an agency holds at most {MAX_PER_AGENCY} active webhooks")
        now = self.clock()
        hook = Webhook(f"wh-{uuid.uuid4().hex}", agency, url, sorted(set(event_types)), now,
                       caller.principal.token_label, None, self.feed.last(agency))  # fmt: skip
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self.store.add(hook, secret, hook.cursor)
        self._log(caller, "webhook-added", hook)
        return Registered(hook, secret)

    def of_agency(self, caller: Caller) -> list[Webhook]:
        return self.store.of_agency(caller.agency_id)

    def get(self, caller: Caller, webhook_id: str) -> Webhook:
        hook = self.store.get(webhook_id)
        if hook is None or hook.agency_id != caller.agency_id:
            raise NoSuchWebhook(webhook_id)
        return hook

    def retire(self, caller: Caller, webhook_id: str) -> Webhook:
        hook = self.get(caller, webhook_id)
        self.store.retire(webhook_id, self.clock())
        self._log(caller, "webhook-retired", hook)
        return self.get(caller, webhook_id)

    def deliveries(self, caller: Caller, webhook_id: str, after: int, limit: int) -> list[Delivery]:
        self.get(caller, webhook_id)
        return self.store.deliveries(webhook_id, after, limit)

    def _log(self, caller: Caller, action: str, hook: Webhook) -> None:
        """A webhook is a standing channel of disclosures: opening and closing it is on
        the access log, like the disclosures it then makes."""
        basis = {"webhook": hook.webhook_id, "url": hook.url, "event_types": hook.event_types}
        self.access_log.write(AccessEntry.of(caller, self.clock(), None, action, basis=basis))
