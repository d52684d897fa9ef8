"""Reads of the caseload view through a transaction that is already open."""

from collections.abc import Sequence

from coordination.adapters.store.database import Cursor, Database, Params
from projections.caseload.cards import facts_of
from projections.caseload.members import CaseFacts, Row

CHUNK = 500  # case ids per statement: far below SQLite's limit of bound values


class Reader:
    """Reads through the cursor of a transaction that is already open: a batch's, or
    one page's, so a page's statements share one connection and its round trips."""

    def __init__(self, db: Database, cursor: Cursor) -> None:
        self.db, self.cursor = db, cursor

    def rows(self, statement: str, params: Params = ()) -> list[Row]:
        self.db.run(self.cursor, statement, params)
        return [dict(row) for row in self.cursor.fetchall()]

    def cards(self, case_ids: Sequence[str]) -> dict[str, CaseFacts]:
        """Every fact of these cases (at most CHUNK), from their cards: one statement."""
        if not case_ids:
            return {}
        rows = self.rows("SELECT * FROM {p}caseload_cases WHERE case_id IN"
                         f" ({', '.join(['%s'] * len(case_ids))})", case_ids)  # fmt: skip
        return {row["case_id"]: facts_of(row) for row in rows}
