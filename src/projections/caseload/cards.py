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

# Each part's columns after its case id, in the order a card's rows list their values:
# a row as a list, not an object, makes the card a third shorter to write and to read.
COLUMNS = {
    "consents": ("consent_id", "recipient", "categories", "starts_at", "expires_at",
                 "withdrawn_at"),
    "referrals": ("referral_id", "from_agency", "to_agency", "status"),
    "courses": ("course_id", "provider", "active"),
    "milestones": ("agreement_id", "milestone_id", "responsible_agency", "concluded_by", "title",
                   "due_on", "open"),
}  # fmt: skip
PARTS = tuple(COLUMNS)

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


Card = dict[str, list[list[Any]]]


def card_of(facts: CaseFacts) -> Card:
    """The fact rows as lists of values, without their case id, which the card's own
    row holds."""
    return {part: [[row[c] for c in COLUMNS[part]] for row in getattr(facts, part)]
            for part in PARTS}  # fmt: skip


def facts_of(row: Row) -> CaseFacts:
    """A `caseload_cases` row read with its card, as the facts it was made from."""
    case = {name: value for name, value in row.items() if name != "card"}
    card: Card = json.loads(row["card"])
    parts = {part: [dict(zip(COLUMNS[part], values, strict=True), case_id=case["case_id"])
                    for values in card[part]] for part in PARTS}  # fmt: skip
    return CaseFacts(case, **parts)


def touched_rows(dated: dict[str, str], cards: dict[str, Card]) -> str:
    """UPDATE_CASES' one parameter, for every case dated or carded by a batch."""
    rows = [[case_id, dated.get(case_id), cards.get(case_id)] for case_id in dated | cards]
    return json.dumps(rows)
