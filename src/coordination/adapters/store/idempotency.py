"""Idempotency keys: a claim while in flight, a result committed with the event."""

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from coordination.adapters.store.database import Database
from coordination.adapters.store.recorders import RowWrite
from coordination.adapters.timestamps import stamp


class IdempotencyKeyReused(Exception):
    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used with a different request")


class IdempotencyKeyInFlight(Exception):
    def __init__(self) -> None:
        super().__init__("a request with this Idempotency-Key is still being processed")


@dataclass(frozen=True)
class IdempotencyRequest:
    agency_id: str
    key: str
    request_hash: str

    @classmethod
    def of(cls, agency_id: str, key: str, route: str, body: dict[str, Any]) -> "IdempotencyRequest":
        """The request under `key`: its route and body, hashed canonically."""
        canonical = json.dumps({"route": route, "body": body}, sort_keys=True, default=str)
        return cls(agency_id, key, hashlib.sha256(canonical.encode()).hexdigest())


@dataclass(frozen=True)
class StoredResult:
    case_id: str
    version: int
    status_code: int


class IdempotencyTimes(NamedTuple):
    # A claim older than this belongs to a request that died; its key is free again.
    in_flight: timedelta = timedelta(seconds=30)
    # How long a result is kept for replays.
    keep: timedelta = timedelta(hours=24)


class IdempotencyStore:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        in_flight: timedelta = timedelta(seconds=30),
        keep: timedelta = timedelta(hours=24),
    ) -> None:
        self.db, self.clock, self.in_flight, self.keep = db, clock, in_flight, keep
        self._claims: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._claims_lock = threading.Lock()

    def find(self, req: IdempotencyRequest) -> StoredResult | None:
        row = self.db.fetch_one(
            "SELECT * FROM {p}idempotency_results WHERE agency_id = %s AND idem_key = %s",
            (req.agency_id, req.key),
            alone=True,
        )
        if row is None:
            return None
        if row["request_hash"] != req.request_hash:
            raise IdempotencyKeyReused
        return StoredResult(row["case_id"], row["version"], row["status_code"])

    def claim(self, req: IdempotencyRequest) -> None:
        """Mark the key in flight in this process, or raise if a request holds it.

        Claims live in memory: a claim costs no transaction, and a crash frees its
        keys with the process. Two processes may both take one key; the result row's
        primary key, committed with the event, lets only one record and the other
        replays it. A claim held for another body means the key is being reused
        (422), not retried (409); one older than `in_flight` is taken over.
        """
        now, key = self.clock(), (req.agency_id, req.key)
        with self._claims_lock:
            held = self._claims.get(key)
            if held is None or held[1] < now - self.in_flight:
                self._claims[key] = (req.request_hash, now)
                return
        if held[0] != req.request_hash:
            raise IdempotencyKeyReused
        raise IdempotencyKeyInFlight

    def release(self, req: IdempotencyRequest) -> None:
        with self._claims_lock:
            self._claims.pop((req.agency_id, req.key), None)

    @contextmanager
    def claimed(self, req: IdempotencyRequest | None) -> Iterator[None]:
        """The key claimed while the block runs (no key: nothing to claim)."""
        if req is None:
            yield
            return
        self.claim(req)
        try:
            yield
        finally:
            self.release(req)

    def result_row(
        self, req: IdempotencyRequest, case_id: str, version: int, status_code: int
    ) -> RowWrite:
        return RowWrite(
            self.db.sql("INSERT INTO {p}idempotency_results VALUES (%s, %s, %s, %s, %s, %s, %s)"),
            (req.agency_id, req.key, req.request_hash, case_id, version, status_code,
             stamp(self.clock())),
        )  # fmt: skip

    def purge_expired(self) -> None:
        cutoff = stamp(self.clock() - self.keep)
        self.db.execute("DELETE FROM {p}idempotency_results WHERE created_at < %s", (cutoff,))
