"""Agencies' webhooks and their deliveries.

A webhook's signing secret is kept sealed (AES-GCM under a key derived from the master
key, bound to the webhook's id): the dispatcher must sign with it, so it cannot be a
hash. A delivery is one entry of the agency's feed for one webhook: written before it
is tried, so a restart goes on where the last one stopped, and kept with its status."""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from coordination.adapters.store.database import Database, Row
from coordination.adapters.store.keys import seal, unseal
from coordination.adapters.timestamps import stamp

PENDING, DELIVERED, FAILED, SKIPPED = "pending", "delivered", "failed", "skipped"


@dataclass(frozen=True)
class Webhook:
    webhook_id: str
    agency_id: str
    url: str
    event_types: list[str]
    created_at: datetime
    created_by: str
    retired_at: datetime | None
    cursor: int  # the agency's feed is taken in up to this number


@dataclass(frozen=True)
class Delivery:
    webhook_id: str
    number: int  # the entry's number in the agency's feed
    case_id: str
    version: int
    event_type: str
    status: str
    attempts: int
    first_tried_at: datetime | None
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


_DUE = (
    "SELECT * FROM {p}webhook_deliveries d WHERE d.status = 'pending'"
    " AND d.next_attempt_at <= %(now)s AND NOT EXISTS (SELECT 1 FROM {p}webhook_deliveries e"
    " WHERE e.webhook_id = d.webhook_id AND e.case_id = d.case_id AND e.number < d.number"
    " AND e.status = 'pending') ORDER BY d.webhook_id, d.number LIMIT %(limit)s"
)


class WebhookStore:
    def __init__(self, db: Database, master_key: bytes) -> None:
        self.db = db
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"webhook-secrets"
        ).derive(master_key)

    def add(self, hook: Webhook, secret: str, start_after: int) -> None:
        sealed = base64.b64encode(seal(self._key, secret.encode(), hook.webhook_id.encode()))
        self.db.execute(
            "INSERT INTO {p}webhooks (webhook_id, agency_id, url, event_types, secret,"
            " created_at, created_by, cursor) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (hook.webhook_id, hook.agency_id, hook.url, json.dumps(hook.event_types),
             sealed.decode(), stamp(hook.created_at), hook.created_by, start_after),
        )  # fmt: skip

    def get(self, webhook_id: str) -> Webhook | None:
        row = self.db.fetch_one("SELECT * FROM {p}webhooks WHERE webhook_id = %s", (webhook_id,))
        return _webhook(row) if row else None

    def of_agency(self, agency_id: str) -> list[Webhook]:
        rows = self.db.fetch_all(
            "SELECT * FROM {p}webhooks WHERE agency_id = %s ORDER BY created_at", (agency_id,)
        )
        return [_webhook(r) for r in rows]

    def active(self) -> list[Webhook]:
        rows = self.db.fetch_all("SELECT * FROM {p}webhooks WHERE retired_at IS NULL")
        return [_webhook(r) for r in rows]

    def secret(self, webhook_id: str) -> str:
        row = self.db.fetch_one("SELECT secret FROM {p}webhooks WHERE webhook_id = %s",
                                (webhook_id,))  # fmt: skip
        assert row is not None
        return unseal(self._key, base64.b64decode(row["secret"]), webhook_id.encode()).decode()

    def retire(self, webhook_id: str, at: datetime) -> None:
        self.db.execute(
            "UPDATE {p}webhooks SET retired_at = %s WHERE webhook_id = %s AND retired_at IS NULL",
            (stamp(at), webhook_id),
        )

    def take_in(
        self, webhook_id: str, entries: Sequence[tuple[int, str, int, str]], cursor: int,
        at: datetime,
    ) -> None:  # fmt: skip
        """The feed's entries (number, case, version, type) a webhook wants, as pending
        deliveries, and its cursor moved past every entry looked at: one transaction."""
        with self.db.transaction() as c:
            self.db.run_many(c, "INSERT INTO {p}webhook_deliveries (webhook_id, number, case_id,"
                             " version, event_type, status, attempts, next_attempt_at)"
                             " VALUES (%s, %s, %s, %s, %s, 'pending', 0, %s)"
                             " ON CONFLICT DO NOTHING",
                             [(webhook_id, n, case, v, t, stamp(at))
                              for n, case, v, t in entries])  # fmt: skip
            self.db.run(c, "UPDATE {p}webhooks SET cursor = %s WHERE webhook_id = %s",
                        (cursor, webhook_id))  # fmt: skip

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries whose time has come and which no earlier pending delivery
        of the same webhook and case precedes: per case, in feed order."""
        return [_delivery(r) for r in self.db.fetch_all(_DUE, {"now": stamp(now), "limit": limit})]

    def deliveries(self, webhook_id: str, after: int, limit: int) -> list[Delivery]:
        rows = self.db.fetch_all(
            "SELECT * FROM {p}webhook_deliveries WHERE webhook_id = %s AND number > %s"
            " ORDER BY number LIMIT %s", (webhook_id, after, limit),
        )  # fmt: skip
        return [_delivery(r) for r in rows]

    def attempted(
        self, d: Delivery, at: datetime, status: str, next_at: datetime | None,
        code: int | None, error: str | None,
    ) -> None:  # fmt: skip
        self.db.execute(
            "UPDATE {p}webhook_deliveries SET status = %s, attempts = attempts + 1,"
            " first_tried_at = COALESCE(first_tried_at, %s), next_attempt_at = %s,"
            " last_status = %s, last_error = %s, delivered_at = %s"
            " WHERE webhook_id = %s AND number = %s",
            (status, stamp(at), stamp(next_at or at), code, error,
             stamp(at) if status == DELIVERED else None, d.webhook_id, d.number),
        )  # fmt: skip


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _webhook(row: Row) -> Webhook:
    return Webhook(
        row["webhook_id"], row["agency_id"], row["url"], json.loads(row["event_types"]),
        datetime.fromisoformat(row["created_at"]), row["created_by"], _at(row["retired_at"]),
        int(row["cursor"]),
    )  # fmt: skip


def _delivery(row: Row) -> Delivery:
    at: Any = row["next_attempt_at"]
    return Delivery(
        row["webhook_id"], int(row["number"]), row["case_id"], int(row["version"]),
        row["event_type"], row["status"], int(row["attempts"]), _at(row["first_tried_at"]),
        datetime.fromisoformat(at), row["last_status"], row["last_error"],
        _at(row["delivered_at"]),
    )  # fmt: skip
