"""Agencies' systems following their change feeds while ingest runs: 50 followers long-
poll `GET /v1/feed` on the server that takes the writes (`coordination serve`, its
projections, the feed among them, in their own process). The feed items they receive
per second, from the start of ingest to the last item, against the events ingested per
second in the same run. Each event enters the feed of every agency related to its case
(two to four here), so the ratio can exceed 1."""

import threading
import time
from typing import Any

import httpx

from bench import measure
from bench.data import all_agencies, workload
from coordination.bootstrap import Services
from coordination.domain.identity import Role

FOLLOWERS = 50
CLIENTS = 8
WAIT_SECONDS = 1  # each long poll: answered at once when there is news
DRAIN_SECONDS = 120  # after ingest, the longest the followers may take to catch up


def measure_followers(
    svc: Services, server: measure.Served, events: int, now: Any
) -> dict[str, Any]:
    work = workload(svc.app, CLIENTS, events, now, seed=500)
    town = work.lead.split("-", 1)[1]
    ours = [a for a in all_agencies() if a.endswith(town)]
    agencies = (ours + [a for a in all_agencies() if a not in ours])[:FOLLOWERS]
    feed = svc.projection("feed").view
    followers = [Follower(server.url, svc, agency, feed.last(agency)) for agency in agencies]
    for follower in followers:
        follower.start()
    token = svc.directory.issue_token(work.lead, Role.CASEWORKER, "bench-feed-ingest").token
    began = time.perf_counter()
    ingest = measure.http_ingest(server, work, measure.coordination_requests(token))
    ended = time.perf_counter()
    expected = _expected(svc, followers)
    deadline = ended + DRAIN_SECONDS
    while sum(f.received for f in followers) < expected and time.perf_counter() < deadline:
        time.sleep(0.05)
    for follower in followers:
        follower.stop()
    received = sum(f.received for f in followers)
    last = max((f.last_at for f in followers if f.received), default=ended)
    items_per_s = received / (last - began)
    return {"followers": len(followers), "events": work.events,
            "ingest_events_per_s": ingest["events_per_s"], "feed_items": received,
            "feed_items_expected": expected, "feed_items_per_s": items_per_s,
            "ratio": items_per_s / ingest["events_per_s"],
            "ingest_s": ended - began, "feed_s": last - began}  # fmt: skip


def _expected(svc: Services, followers: list["Follower"]) -> int:
    """Every entry the feed view holds for the followers once the projection process has
    taken in the whole store."""
    head = svc.app.recorder.max_notification_id() or 0
    feed = svc.projection("feed").view
    feed.wait_for(svc.app.name, head, DRAIN_SECONDS)
    return sum(feed.last(f.agency) - f.cursor_at_start for f in followers)


class Follower(threading.Thread):
    """One agency's system: long-polls its feed from where it stood and counts items."""

    def __init__(self, url: str, svc: Services, agency: str, cursor: int) -> None:
        super().__init__(daemon=True)
        self.agency, self.cursor, self.cursor_at_start = agency, cursor, cursor
        token = svc.directory.issue_token(agency, Role.CASEWORKER, f"bench-feed-{agency}").token
        self.client = httpx.Client(base_url=url, timeout=30,
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        self.received, self.last_at = 0, 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        with self.client:
            while not self._halt.is_set():
                page = self.client.get("/v1/feed", params={
                    "after": self.cursor, "limit": 200, "wait": WAIT_SECONDS}).json()  # fmt: skip
                if page["items"]:
                    self.received += len(page["items"])
                    self.last_at = time.perf_counter()
                self.cursor = page["cursor"]

    def stop(self) -> None:
        self._halt.set()
        self.join()
