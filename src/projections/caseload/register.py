"""The register of a municipality's cases, open and closed, for auditors (ADR 0050).

A caseload holds what an agency works on; a closed case leaves every caseload. The
register reads `caseload_cases`, where every case keeps its row, along its index on
(municipality, opened_at, case_id): found page by page after the last key, or drawn
as a sample. Nothing personal is read: ids, agencies, instants and the status.

A sample ranks every case that passes the filters by SHA-256 of the seed and its id
and takes the first N, so the same seed over the same cases draws the same sample,
and a case's chance does not depend on when it was opened or on the order of rows.
"""

import hashlib
import heapq
import json
from dataclasses import dataclass
from typing import Any

from projections.caseload.view import CaseloadView

# Every filter is in the statement; one left out (None) matches every case.
_MATCHING = (
    "municipality = %(m)s AND (CAST(%(closed)s AS INTEGER) IS NULL OR closed = %(closed)s)"
    " AND (CAST(%(lead)s AS TEXT) IS NULL OR lead_agency = %(lead)s)"
    " AND (CAST(%(from)s AS TEXT) IS NULL OR opened_at >= %(from)s)"
    " AND (CAST(%(before)s AS TEXT) IS NULL OR opened_at < %(before)s)"
)
_PAGE = (
    "SELECT case_id, lead_agency, opened_at, last_event_at, closed FROM {p}caseload_cases"
    " WHERE " + _MATCHING + " AND (opened_at, case_id) > (%(o)s, %(c)s)"
    " ORDER BY opened_at, case_id LIMIT %(n)s"
)
_IDS = "SELECT case_id FROM {p}caseload_cases WHERE " + _MATCHING
_BY_ID = {
    "postgres": "SELECT case_id, lead_agency, opened_at, last_event_at, closed"
    " FROM {p}caseload_cases WHERE case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id, lead_agency, opened_at, last_event_at, closed"
    " FROM {p}caseload_cases WHERE case_id IN (SELECT value FROM json_each(%s))",
}


@dataclass(frozen=True)
class CaseFilter:
    municipality: str
    closed: bool | None = None  # None: open and closed
    lead_agency: str | None = None
    opened_from: str | None = None  # a stamp; inclusive
    opened_before: str | None = None  # a stamp; exclusive


@dataclass(frozen=True)
class RegisterEntry:
    case_id: str
    lead_agency: str
    opened_at: str
    last_event_at: str
    closed: bool


def find(
    view: CaseloadView, f: CaseFilter, limit: int, after: tuple[str, str] | None = None
) -> tuple[list[RegisterEntry], tuple[str, str] | None]:
    """A page of the register in order of opening, and the key to continue after."""
    key = {"o": after[0] if after else "", "c": after[1] if after else "", "n": limit + 1}
    with view.reading() as reader:
        rows = reader.rows(_PAGE, _params(f) | key)
    entries = [_entry(r) for r in rows[:limit]]
    more = len(rows) > limit
    return entries, (entries[-1].opened_at, entries[-1].case_id) if more and entries else None


def sample(
    view: CaseloadView, f: CaseFilter, size: int, seed: int
) -> tuple[list[RegisterEntry], int]:
    """`size` cases drawn by the seed, in order of opening, and how many there were."""
    with view.reading() as reader:
        ids = [r["case_id"] for r in reader.rows(_IDS, _params(f))]
        drawn = heapq.nsmallest(size, ids, key=lambda case_id: _rank(seed, case_id))
        rows = reader.rows(_BY_ID[view.db.dialect], (json.dumps(drawn),)) if drawn else []
    entries = sorted((_entry(r) for r in rows), key=lambda e: (e.opened_at, e.case_id))
    return entries, len(ids)


def _rank(seed: int, case_id: str) -> bytes:
    return hashlib.sha256(f"{seed}:{case_id}".encode()).digest()


def _params(f: CaseFilter) -> dict[str, Any]:
    return {
        "m": f.municipality, "closed": None if f.closed is None else int(f.closed),
        "lead": f.lead_agency, "from": f.opened_from, "before": f.opened_before,
    }  # fmt: skip


def _entry(row: dict[str, Any]) -> RegisterEntry:
    return RegisterEntry(
        row["case_id"], row["lead_agency"], row["opened_at"], row["last_event_at"],
        bool(row["closed"]),
    )  # fmt: skip
