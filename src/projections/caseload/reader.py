"""Reads of the caseload tables through a transaction that is already open."""

from collections.abc import Sequence

from coordination.store.database import Cursor, Database, Params
from projections.caseload.cards import facts_of
from projections.caseload.changes import in_order
from projections.caseload.members import CaseFacts, Row

# A case's rows, per table: `Reader.facts` adds the list of case ids.
OF_CASES = {
    "cases": "SELECT case_id, municipality, lead_agency, opened_by, display_name, opened_at,"
    " last_event_at, closed FROM {p}caseload_cases WHERE case_id IN",
    "consents": "SELECT * FROM {p}caseload_consents WHERE case_id IN",
    "referrals": "SELECT * FROM {p}caseload_referrals WHERE case_id IN",
    "courses": "SELECT * FROM {p}caseload_courses WHERE case_id IN",
    "milestones": "SELECT * FROM {p}caseload_milestones WHERE case_id IN",
}
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

    def facts(self, case_ids: Sequence[str]) -> dict[str, CaseFacts]:
        """Every fact of these cases (at most CHUNK) as the four tables hold them, each
        part in a card's order: the reference a card is checked against."""
        found: dict[str, dict[str, list[Row]]] = {c: {t: [] for t in OF_CASES} for c in case_ids}
        for table in OF_CASES if case_ids else ():
            for row in self.rows(f"{OF_CASES[table]} ({', '.join(['%s'] * len(case_ids))})",
                                 case_ids):  # fmt: skip
                found[row["case_id"]][table].append(row)
        facts = {
            case_id: CaseFacts(f["cases"][0], f["consents"], f["referrals"], f["courses"],
                               f["milestones"])
            for case_id, f in found.items() if f["cases"]
        }  # fmt: skip
        for f in facts.values():
            in_order(f)
        return facts
