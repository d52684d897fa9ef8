"""Tables of the person index: a case's encodings and its blocking keys. They hold no
name, no date and no nationality, only keyed hashes and keyed filters (ADR 0047, 0059)."""

import json
from dataclasses import dataclass
from typing import ClassVar

from projections.view import View

TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}person_index (
        case_id TEXT PRIMARY KEY, clk TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {p}person_index_blocks (
        block TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (block, case_id))""",
    # The skeletons' filter and the nationality's token (ADR 0059).
    """CREATE TABLE IF NOT EXISTS {p}person_index_codes (
        case_id TEXT PRIMARY KEY, skeleton TEXT NOT NULL, nationality TEXT)""",
    # Agencies' own file numbers, as keyed tokens bound to the agency (ADR 0062).
    """CREATE TABLE IF NOT EXISTS {p}person_index_references (
        agency TEXT NOT NULL, token TEXT NOT NULL, case_id TEXT NOT NULL,
        PRIMARY KEY (agency, token, case_id))""",
]
_SHARING = (
    "SELECT DISTINCT i.case_id, i.clk, c.skeleton, c.nationality FROM {p}person_index_blocks b"
    " JOIN {p}person_index i ON i.case_id = b.case_id"
    " LEFT JOIN {p}person_index_codes c ON c.case_id = b.case_id"
)
# On PostgreSQL an array: the planner knows it holds two keys and reads the index, where
# a set from JSON counts as a hundred rows and, on a table whose statistics lag behind
# its growth, turned the lookup into scans (250 ms against 4 ms at 200,000 cases).
_CANDIDATES = {
    "postgres": _SHARING + " WHERE b.block = ANY(%s)",
    "sqlite": _SHARING + " WHERE b.block IN (SELECT value FROM json_each(%s))",
}
_UNENCODED = [
    "DELETE FROM {p}person_index_blocks WHERE case_id = %s",
    "DELETE FROM {p}person_index_codes WHERE case_id = %s",
    "DELETE FROM {p}person_index WHERE case_id = %s",
]
_REMOVED = ["DELETE FROM {p}person_index_references WHERE case_id = %s", *_UNENCODED]


@dataclass(frozen=True)
class Candidate:
    case_id: str
    clk: int
    skeleton: int
    nationality: str | None


class PersonIndexView(View):
    name: ClassVar[str] = "person_index"
    tables = TABLES
    table_names = (
        "person_index_references",
        "person_index_codes",
        "person_index_blocks",
        "person_index",
    )

    def create_tables(self) -> None:
        super().create_tables()
        if self._predates_codes():
            self.clear()

    def _predates_codes(self) -> bool:
        """An index written before skeletons were kept has encodings and no codes. It
        is emptied, so the runner rebuilds it from zero."""
        row = self.db.fetch_one(
            "SELECT EXISTS (SELECT 1 FROM {p}person_index) AS encoded,"
            " EXISTS (SELECT 1 FROM {p}person_index_codes) AS coded"
        )
        return row is not None and bool(row["encoded"]) and not row["coded"]

    def referenced(self, agency: str, token: str, case_id: str) -> None:
        self.write(
            "INSERT INTO {p}person_index_references VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (agency, token, case_id),
        )

    def cases_referenced(self, agency: str, token: str) -> list[str]:
        rows = self.rows(
            "SELECT case_id FROM {p}person_index_references WHERE agency = %s AND token = %s"
            " ORDER BY case_id", (agency, token),
        )  # fmt: skip
        return [r["case_id"] for r in rows]

    def indexed(
        self, case_id: str, blocks: list[str], clk_hex: str, skeleton_hex: str,
        nationality: str | None,
    ) -> None:  # fmt: skip
        self.write("INSERT INTO {p}person_index VALUES (%s, %s)", (case_id, clk_hex))
        self.write(
            "INSERT INTO {p}person_index_codes VALUES (%s, %s, %s)",
            (case_id, skeleton_hex, nationality),
        )
        for block in blocks:
            self.write("INSERT INTO {p}person_index_blocks VALUES (%s, %s)", (block, case_id))

    def removed(self, case_id: str) -> None:
        """The case forgotten: its encodings and the file numbers that found it."""
        for statement in _REMOVED:
            self.write(statement, (case_id,))

    def unencoded(self, case_id: str) -> None:
        """The person's encodings forgotten; the file numbers still find the case."""
        for statement in _UNENCODED:
            self.write(statement, (case_id,))

    def candidates(self, blocks: list[str]) -> list[Candidate]:
        """The cases sharing a blocking key, with their encodings."""
        given = list(blocks) if self.db.dialect == "postgres" else json.dumps(blocks)
        rows = self.rows(_CANDIDATES[self.db.dialect], (given,))
        return [
            Candidate(r["case_id"], int(r["clk"], 16), int(r["skeleton"] or "0", 16),
                      r["nationality"])
            for r in rows
        ]  # fmt: skip
