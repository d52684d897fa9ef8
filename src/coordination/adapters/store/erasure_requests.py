"""Erasures waiting for a second person's approval (four eyes), and how each ended.

A request holds what the erasure will record anyway (reason and legal basis, which
name no person) and who asked and decided: pseudonymous account ids, or a token's
label for an agency's system."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coordination.adapters.store.database import Database, Row
from coordination.adapters.timestamps import stamp


@dataclass(frozen=True)
class ErasureRequest:
    request_id: str
    case_id: str
    controller: str
    reason: str
    legal_basis: str
    requested_by: str  # the person (account id), or "token:<label>"
    requested_agency: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    outcome: str | None = None  # "approved" or "rejected"


_OPEN = "SELECT * FROM {p}erasure_requests WHERE decided_at IS NULL AND "


class ErasureRequests:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, r: ErasureRequest) -> None:
        self.db.execute(
            "INSERT INTO {p}erasure_requests (request_id, case_id, controller, reason,"
            " legal_basis, requested_by, requested_agency, requested_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (r.request_id, r.case_id, r.controller, r.reason, r.legal_basis, r.requested_by,
             r.requested_agency, stamp(r.requested_at)),
        )  # fmt: skip

    def get(self, request_id: str) -> ErasureRequest | None:
        row = self.db.fetch_one(
            "SELECT * FROM {p}erasure_requests WHERE request_id = %s", (request_id,)
        )
        return _request(row) if row else None

    def open_for(self, controller: str) -> list[ErasureRequest]:
        rows = self.db.fetch_all(_OPEN + "controller = %s ORDER BY requested_at", (controller,))
        return [_request(r) for r in rows]

    def open_for_case(self, case_id: str, controller: str) -> ErasureRequest | None:
        row = self.db.fetch_one(_OPEN + "case_id = %s AND controller = %s", (case_id, controller))
        return _request(row) if row else None

    def decide(self, request_id: str, by: str, at: datetime, outcome: str) -> bool:
        """Records the decision, once: False if the request was decided meanwhile."""
        with self.db.transaction() as cursor:
            self.db.run(
                cursor, "UPDATE {p}erasure_requests SET decided_by = %s, decided_at = %s,"
                " outcome = %s WHERE request_id = %s AND decided_at IS NULL RETURNING request_id",
                (by, stamp(at), outcome, request_id),
            )  # fmt: skip
            return bool(cursor.fetchall())


def _request(row: Row) -> ErasureRequest:
    at: Any = row["decided_at"]
    return ErasureRequest(
        row["request_id"], row["case_id"], row["controller"], row["reason"],
        row["legal_basis"], row["requested_by"], row["requested_agency"],
        datetime.fromisoformat(row["requested_at"]), row["decided_by"],
        datetime.fromisoformat(at) if at else None, row["outcome"],
    )  # fmt: skip
