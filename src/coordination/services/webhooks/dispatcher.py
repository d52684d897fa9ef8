"""Delivering webhooks beside the projections, never in a request.

Each round takes the new entries of every active webhook's agency feed in as pending
deliveries (one transaction with the webhook's cursor), then tries the deliveries that
are due. A delivery carries the entry as the feed would show it at that moment, read in
the agency's name and logged like any read; it is signed after the Standard Webhooks
layout (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 over id,
timestamp and body). Per webhook and case, deliveries go out in feed order: a later one
waits while an earlier one is pending. A failed try is tried again after 5 s, 30 s,
2 min, 10 min, 30 min, then hourly doubling up to 4 h, until 24 h after the first try;
then it is given up, and the case's later deliveries go on. Each webhook is worked by
one thread of a small pool at a time, so a slow or unreachable receiver holds up only
its own deliveries."""

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import groupby

import httpx
import structlog
from standardwebhooks.webhooks import Webhook as Signer

from coordination.adapters.store.directory import Directory
from coordination.adapters.store.webhooks import (
    DELIVERED,
    FAILED,
    PENDING,
    SKIPPED,
    Delivery,
    Webhook,
    WebhookStore,
)
from coordination.domain.identity import Caller, Principal, Role
from coordination.services.feed import FeedItem, FeedService
from coordination.services.webhooks.endpoints import (
    EndpointRefused,
    check_addresses,
    check_endpoint,
)
from projections.feed.view import Entry, FeedView

log = structlog.get_logger()
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 7200, 14400)
GIVE_UP_AFTER = timedelta(hours=24)
TIMEOUT_SECONDS = 5.0
TAKEN_PER_ROUND = 500


class Dispatcher:
    def __init__(
        self, store: WebhookStore, feed: FeedService, feed_view: FeedView, directory: Directory,
        hosts: list[str], clock: Callable[[], datetime], workers: int = 4,
        poll_seconds: float = 0.5,
    ) -> None:  # fmt: skip
        self.store, self.feed, self.feed_view = store, feed, feed_view
        self.directory, self.hosts, self.clock = directory, hosts, clock
        self.poll_seconds, self.workers = poll_seconds, workers
        self.client = httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="webhooks")
        self._thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._thread = self._pool = None

    def run_once(self) -> None:
        """One round in this thread, to its end (the command line and tests)."""
        self._round(self._deliver)

    def take_in(self) -> None:
        for hook in self.store.active():
            entries = self.feed_view.entries(hook.agency_id, hook.cursor, TAKEN_PER_ROUND)
            if entries:
                wanted = [e for e in entries if e.event_type in hook.event_types]
                self.store.take_in(hook.webhook_id, wanted, entries[-1].number, self.clock())

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self._round(self._hand_over)
            except Exception:  # the loop outlives a failed round
                log.exception("webhook_round_failed")

    def _round(self, deliver: Callable[[Webhook, list[Delivery]], None]) -> None:
        self.take_in()
        for hook, due in self._due_by_webhook():
            deliver(hook, due)

    def _hand_over(self, hook: Webhook, due: list[Delivery]) -> None:
        """To a pool thread, unless one works on this webhook already."""
        with self._lock:
            if hook.webhook_id in self._busy:
                return
            self._busy.add(hook.webhook_id)
        assert self._pool is not None
        self._pool.submit(self._deliver_then_free, hook, due)

    def _due_by_webhook(self) -> list[tuple[Webhook, list[Delivery]]]:
        found = []
        for webhook_id, due in groupby(self.store.due(self.clock(), 200), lambda d: d.webhook_id):
            hook = self.store.get(webhook_id)
            if hook is not None and hook.retired_at is None:
                found.append((hook, list(due)))
        return found

    def _deliver_then_free(self, hook: Webhook, due: list[Delivery]) -> None:
        try:
            self._deliver(hook, due)
        except Exception:  # logged; the deliveries stay pending
            log.exception("webhook_delivery_failed", webhook=hook.webhook_id)
        finally:
            with self._lock:
                self._busy.discard(hook.webhook_id)

    def _deliver(self, hook: Webhook, due: list[Delivery]) -> None:
        held: set[str] = set()  # cases whose earlier delivery failed in this round
        for delivery in due:
            if delivery.case_id not in held and not self._attempt(hook, delivery):
                held.add(delivery.case_id)

    def _attempt(self, hook: Webhook, d: Delivery) -> bool:
        now = self.clock()
        item = self.feed.item(self._caller(hook, d), Entry(d.number, d.case_id, d.version,
                                                           d.event_type))  # fmt: skip
        if item is None:  # the agency may no longer read the case: nothing to deliver
            self.store.attempted(d, now, SKIPPED, None, None, "the case is no longer readable")
            return True
        code, error = self._post(hook, d, item)
        if code is not None and 200 <= code < 300:
            self.store.attempted(d, now, DELIVERED, None, code, None)
            return True
        first = d.first_tried_at or now
        wait = timedelta(seconds=BACKOFF_SECONDS[min(d.attempts, len(BACKOFF_SECONDS) - 1)])
        given_up = now + wait - first > GIVE_UP_AFTER
        status = FAILED if given_up else PENDING
        self.store.attempted(d, now, status, None if given_up else now + wait, code, error)
        log.info("webhook_attempt_failed", webhook=hook.webhook_id, number=d.number,
                 status=code, given_up=given_up)  # fmt: skip
        return False

    def _post(self, hook: Webhook, d: Delivery, item: FeedItem) -> tuple[int | None, str | None]:
        msg_id = f"{hook.webhook_id}.{d.number}"  # the same on every try: receivers dedupe
        sent_at = datetime.now(UTC)  # the receiver's clock judges it, not the store's
        out = item.out()
        body = json.dumps({"type": d.event_type, "timestamp": out["recorded_at"], "data": out})
        signature = Signer(self.store.secret(hook.webhook_id)).sign(msg_id, sent_at, body)
        headers = {"content-type": "application/json", "webhook-id": msg_id,
                   "webhook-timestamp": str(int(sent_at.timestamp())),
                   "webhook-signature": signature}  # fmt: skip
        try:
            if not check_endpoint(hook.url, self.hosts):
                check_addresses(hook.url)
            return self.client.post(hook.url, content=body, headers=headers).status_code, None
        except EndpointRefused as refused:
            return None, str(refused)
        except httpx.HTTPError as error:
            return None, type(error).__name__

    def _caller(self, hook: Webhook, d: Delivery) -> Caller:
        """The agency reads through its webhook: the access log names the webhook."""
        agency = self.directory.get_agency(hook.agency_id)
        assert agency is not None
        principal = Principal(
            agency, Role.CASEWORKER, hook.webhook_id, f"webhook:{hook.webhook_id}"
        )
        return Caller(principal, f"webhook-{hook.webhook_id}-{d.number}")
