"""A case's card: its rows of the four fact tables, kept as one JSON text on its
`caseload_cases` row (ADR 0031).

A page shows up to fifty cases, scattered over each fact table; reading their facts
from five tables touched five times as many pages of the database as reading one row
per case, and at 200,000 cases those pages no longer stayed in PostgreSQL's buffers.
The tables stay the truth that handlers write and member rows are derived from; the
card is derived with the member rows, from the same facts, in the same transaction.
"""

import json
from typing import Any

from projections.caseload.members import CaseFacts, Row

PARTS = ("consents", "referrals", "courses", "milestones")

# Each touched case: [case_id, its last event's instant or null, its card or null];
# a null leaves that column as it was.
UPDATE_CASES = {
    "postgres": "UPDATE {p}caseload_cases AS c"
    " SET last_event_at = COALESCE(t.r ->> 1, c.last_event_at),"
    " card = COALESCE(NULLIF((t.r -> 2)::text, 'null'), c.card)"
    " FROM json_array_elements(%s::json) AS t(r) WHERE c.case_id = t.r ->> 0",
    "sqlite": "UPDATE {p}caseload_cases AS c"
    " SET last_event_at = COALESCE(t.value ->> 1, c.last_event_at),"
    " card = COALESCE(NULLIF(t.value -> 2, 'null'), c.card)"
    " FROM json_each(%s) AS t WHERE c.case_id = t.value ->> 0",
}


def card_of(facts: CaseFacts) -> dict[str, list[Row]]:
    """The fact rows without their case id, which the card's own row holds."""
    return {part: [_without_case(row) for row in getattr(facts, part)] for part in PARTS}


def facts_of(row: Row) -> CaseFacts:
    """A `caseload_cases` row read with its card, as the facts it was made from."""
    case = {name: value for name, value in row.items() if name != "card"}
    card: dict[str, list[Row]] = json.loads(row["card"])
    parts = {part: [{"case_id": case["case_id"], **r} for r in card[part]] for part in PARTS}
    return CaseFacts(case, **parts)


def touched_rows(dated: dict[str, str], cards: dict[str, dict[str, list[Row]]]) -> str:
    """UPDATE_CASES' one parameter, for every case dated or carded by a batch."""
    rows = [[case_id, dated.get(case_id), cards.get(case_id)] for case_id in dated | cards]
    return json.dumps(rows)


def _without_case(row: Row) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "case_id"}
