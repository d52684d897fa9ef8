"""Tables of the person index: a case's encoding and its blocking keys. They hold no
name and no date, only keyed hashes and a keyed filter (ADR 0047)."""

import json
from typing import ClassVar

from projections.view import View

TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}person_index (
        case_id TEXT PRIMARY KEY, clk TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {p}person_index_blocks (
        block TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (block, case_id))""",
]
_CANDIDATES = {
    "postgres": "SELECT DISTINCT i.case_id, i.clk FROM {p}person_index_blocks b"
    " JOIN {p}person_index i ON i.case_id = b.case_id"
    " WHERE b.block IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT DISTINCT i.case_id, i.clk FROM {p}person_index_blocks b"
    " JOIN {p}person_index i ON i.case_id = b.case_id"
    " WHERE b.block IN (SELECT value FROM json_each(%s))",
}


class PersonIndexView(View):
    name: ClassVar[str] = "person_index"
    tables = TABLES
    table_names = ("person_index_blocks", "person_index")

    def indexed(self, case_id: str, blocks: list[str], clk_hex: str) -> None:
        self.write("INSERT INTO {p}person_index VALUES (%s, %s)", (case_id, clk_hex))
        for block in blocks:
            self.write("INSERT INTO {p}person_index_blocks VALUES (%s, %s)", (block, case_id))

    def removed(self, case_id: str) -> None:
        self.write("DELETE FROM {p}person_index_blocks WHERE case_id = %s", (case_id,))
        self.write("DELETE FROM {p}person_index WHERE case_id = %s", (case_id,))

    def candidates(self, blocks: list[str]) -> list[tuple[str, int]]:
        """The cases sharing a blocking key, with their encodings."""
        rows = self.rows(_CANDIDATES[self.db.dialect], (json.dumps(blocks),))
        return [(r["case_id"], int(r["clk"], 16)) for r in rows]
