"""Idempotency keys: a claim while in flight, a result committed with the event."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from coordination.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from coordination.store.database import Database, stamp
from coordination.store.recorders import RowWrite


@dataclass(frozen=True)
class IdempotencyRequest:
    agency_id: str
    key: str
    request_hash: str


@dataclass(frozen=True)
class StoredResult:
    case_id: str
    version: int
    status_code: int


class IdempotencyStore:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        in_flight: timedelta = timedelta(seconds=30),
        keep: timedelta = timedelta(hours=24),
    ) -> None:
        self.db, self.clock, self.in_flight, self.keep = db, clock, in_flight, keep

    def find(self, req: IdempotencyRequest) -> StoredResult | None:
        row = self.db.fetch_one(
            "SELECT * FROM {p}idempotency_results WHERE agency_id = %s AND idem_key = %s",
            (req.agency_id, req.key),
        )
        if row is None:
            return None
        if row["request_hash"] != req.request_hash:
            raise IdempotencyKeyReused
        return StoredResult(row["case_id"], row["version"], row["status_code"])

    def claim(self, req: IdempotencyRequest) -> None:
        """Mark the key in flight, or raise if another request holds it.

        A claim older than `in_flight` belongs to a crashed request and is taken over;
        the result's primary key still stops that from recording twice. A claim held
        for another body means the key is being reused (422), not retried (409).
        """
        now = self.clock()
        with self.db.transaction() as cursor:
            self.db.run(
                cursor,
                "INSERT INTO {p}idempotency_claims AS c VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (agency_id, idem_key) DO UPDATE"
                " SET claimed_at = excluded.claimed_at, request_hash = excluded.request_hash"
                " WHERE c.claimed_at < %s RETURNING idem_key",
                (req.agency_id, req.key, req.request_hash, stamp(now),
                 stamp(now - self.in_flight)),
            )  # fmt: skip
            claimed = cursor.fetchall()
        if not claimed:
            self._raise_for_claim(req)

    def _raise_for_claim(self, req: IdempotencyRequest) -> None:
        row = self.db.fetch_one(
            "SELECT request_hash FROM {p}idempotency_claims WHERE agency_id = %s AND idem_key = %s",
            (req.agency_id, req.key),
        )
        if row is not None and row["request_hash"] != req.request_hash:
            raise IdempotencyKeyReused
        raise IdempotencyKeyInFlight

    def release(self, req: IdempotencyRequest) -> None:
        self.db.execute(
            "DELETE FROM {p}idempotency_claims WHERE agency_id = %s AND idem_key = %s",
            (req.agency_id, req.key),
        )

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
