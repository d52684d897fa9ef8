"""A case's card: its rows of the four fact tables, kept as one JSON text on its
`caseload_cases` row (ADR 0031).

A page shows up to fifty cases, scattered over each fact table; reading their facts
from five tables touched five times as many pages of the database as reading one row
per case, and at 200,000 cases those pages no longer stayed in PostgreSQL's buffers.
A batch's changes are applied to the cards of the cases it touched, and the tables,
member rows and cards are written from the result in the same transaction (ADR 0032).
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
                   "due_on", "open", "side"),
    "reviews": ("agreement_id", "concluded_by", "review_on"),
}  # fmt: skip
PARTS = tuple(COLUMNS)

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
