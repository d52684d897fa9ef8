"""Possible duplicates found when a case was opened (ADR 0059): pairs of case ids, who
opened the new case and who led the earlier one, no personal data. A pair is kept once;
erasing either case removes it (services/erasure.py)."""

import json
from dataclasses import dataclass
from datetime import datetime

from coordination.adapters.store.database import Database, Row
from coordination.adapters.timestamps import stamp


@dataclass(frozen=True)
class PossibleDuplicate:
    case_id: str  # the case just opened
    earlier_case_id: str  # the case it may duplicate
    opened_by: str  # the agency that opened the new case
    lead_agency: str  # the earlier case's lead agency when the pair was found
    found_at: datetime
    similarity: float


_INVOLVING = {
    "postgres": "SELECT * FROM {p}possible_duplicates"
    " WHERE lead_agency IN (SELECT json_array_elements_text(%(agencies)s::json))"
    " OR opened_by IN (SELECT json_array_elements_text(%(agencies)s::json))"
    " ORDER BY found_at DESC",
    "sqlite": "SELECT * FROM {p}possible_duplicates"
    " WHERE lead_agency IN (SELECT value FROM json_each(%(agencies)s))"
    " OR opened_by IN (SELECT value FROM json_each(%(agencies)s)) ORDER BY found_at DESC",
}


class DuplicateStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def found(self, pairs: list[PossibleDuplicate]) -> None:
        with self.db.transaction() as c:
            self.db.run_many(
                c,
                "INSERT INTO {p}possible_duplicates VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [(d.case_id, d.earlier_case_id, d.opened_by, d.lead_agency, stamp(d.found_at),
                  d.similarity) for d in pairs],
            )  # fmt: skip

    def of_case(self, case_id: str) -> list[PossibleDuplicate]:
        """The pairs a case is in, as the new or the earlier one."""
        rows = self.db.fetch_all(
            "SELECT * FROM {p}possible_duplicates WHERE case_id = %s OR earlier_case_id = %s"
            " ORDER BY found_at", (case_id, case_id),
        )  # fmt: skip
        return [_pair(r) for r in rows]

    def involving(self, agencies: list[str]) -> list[PossibleDuplicate]:
        """The pairs one of `agencies` opened or whose earlier case it led, newest first."""
        rows = self.db.fetch_all(_INVOLVING[self.db.dialect], {"agencies": json.dumps(agencies)})
        return [_pair(r) for r in rows]

    def settled(self, case_id: str, other_case_id: str) -> None:
        self.db.execute(
            "DELETE FROM {p}possible_duplicates WHERE (case_id = %s AND earlier_case_id = %s)"
            " OR (case_id = %s AND earlier_case_id = %s)",
            (case_id, other_case_id, other_case_id, case_id),
        )


def _pair(row: Row) -> PossibleDuplicate:
    return PossibleDuplicate(
        row["case_id"], row["earlier_case_id"], row["opened_by"], row["lead_agency"],
        datetime.fromisoformat(row["found_at"]), float(row["similarity"]),
    )  # fmt: skip
