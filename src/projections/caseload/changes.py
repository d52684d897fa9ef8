"""What each caseload event does to its case's facts, in memory (ADR 0032).

A handler no longer sends a statement per event: it queues one of these changes, and
when the batch ends the view reads the facts of every case the batch touched (their
cards), applies the changes in order and writes each case's rows back, a statement
per table for the whole batch. Rows look as the tables hold them: texts, instants as
stamps and flags as integers.
"""

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from projections.caseload.members import CaseFacts, Row

Change = Callable[[CaseFacts], None]

# Each part's key after its case id: a card lists its rows in this order, so that
# equal facts make equal cards however they came about.
KEYS = {
    "consents": itemgetter("consent_id", "recipient"),
    "referrals": itemgetter("referral_id"),
    "courses": itemgetter("course_id"),
    "milestones": itemgetter("agreement_id", "milestone_id"),
    "reviews": itemgetter("agreement_id"),
}


def opened(
    case_id: str, municipality: str, lead: str, name: tuple[str | None, str | None], at: str
) -> CaseFacts:
    """`name`: the sealed given and family names."""
    given, family = name
    case = {"case_id": case_id, "municipality": municipality, "lead_agency": lead,
            "opened_by": lead, "given_name": given, "family_name": family, "opened_at": at,
            "last_event_at": at, "closed": 0}  # fmt: skip
    return CaseFacts(case, [], [], [], [], [])


def in_order(facts: CaseFacts) -> None:
    for part, key in KEYS.items():
        getattr(facts, part).sort(key=key)


def add(part: str, row: Row) -> Change:
    """A new row; one with the same key is replaced, as the table's key allows one."""

    def change(facts: CaseFacts) -> None:
        rows: list[Row] = getattr(facts, part)
        row["case_id"] = facts.case["case_id"]
        rows[:] = [r for r in rows if KEYS[part](r) != KEYS[part](row)] + [row]

    return change


def update(part: str, match: Row, **values: Any) -> Change:
    """Set `values` on each row of `part` whose fields include `match`."""

    def change(facts: CaseFacts) -> None:
        for row in getattr(facts, part):
            if all(row[k] == v for k, v in match.items()):
                row.update(values)

    return change


def remove(part: str, match: Row) -> Change:
    """Remove each row of `part` whose fields include `match`."""

    def change(facts: CaseFacts) -> None:
        rows: list[Row] = getattr(facts, part)
        rows[:] = [r for r in rows if not all(r[k] == v for k, v in match.items())]

    return change


def reviewed(agreement_id: str, review_on: str) -> Change:
    """The agreement's next review, by the agency that concluded it, as its obligations
    remember it."""

    def change(facts: CaseFacts) -> None:
        by = [m["concluded_by"] for m in facts.milestones if m["agreement_id"] == agreement_id]
        if by:
            row = {"agreement_id": agreement_id, "concluded_by": by[0], "review_on": review_on}
            add("reviews", row)(facts)

    return change


def update_case(**values: Any) -> Change:
    def change(facts: CaseFacts) -> None:
        facts.case.update(values)

    return change
