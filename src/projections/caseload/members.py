"""One row per (agency, case) that can be in the agency's caseload, derived from the case's facts.

A page must not judge every case of an agency. So whatever a page is ordered and
filtered by is kept here, per agency, next to the key it is ordered by. What depends
on the instant a page is judged at (consent validity, expiry warnings, overdue
milestones) is stored as the instants and dates where it changes, never as a flag
that a clock would have to flip: the query compares them with its own instant, so
expiry still needs no job (ADR 0018).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from coordination.adapters.timestamps import stamp

EXPIRY_WARNING = timedelta(days=14)
# Bounds that sort after every stored instant or date: "never" and "no due date".
FOREVER = "9999-12-31T23:59:59.999999Z"
NO_DUE_DATE = "9999-12-31"
OPEN_REFERRAL = ("sent", "accepted")

Row = dict[str, Any]


@dataclass(frozen=True)
class Window:
    """The span of a union of half-open intervals [start, end) of instants, and whether
    the union has no gap (so the span alone answers "is t inside?")."""

    start: str
    end: str
    exact: bool

    @classmethod
    def of(cls, intervals: Iterable[tuple[str, str]]) -> "Window":
        spans = sorted((start, end) for start, end in intervals if start < end)
        if not spans:
            return cls(FOREVER, FOREVER, exact=True)  # never inside
        pieces, reach = 1, spans[0][1]
        for start, end in spans[1:]:
            pieces += start > reach
            reach = max(reach, end)
        return cls(spans[0][0], reach, exact=pieces == 1)


@dataclass(frozen=True)
class CaseFacts:
    """A case's rows in the caseload tables."""

    case: Row
    consents: list[Row]
    referrals: list[Row]
    courses: list[Row]
    milestones: list[Row]
    reviews: list[Row]

    def agencies(self) -> set[str]:
        """The lead, and every agency with open work on the case: only these can ever
        have it in their caseload, whatever their consents say."""
        return (
            {self.case["lead_agency"]}
            | {r["to_agency"] for r in self.referrals if r["status"] in OPEN_REFERRAL}
            | {k["provider"] for k in self.courses if k["active"]}
            | {m["responsible_agency"] for m in self.milestones if m["open"]}
        )


def member_rows(facts: CaseFacts) -> list[Row]:
    """The case's rows for the members table; none once the case is closed."""
    if facts.case["closed"]:
        return []
    return [_member(facts, agency) for agency in sorted(facts.agencies())]


def _member(f: CaseFacts, a: str) -> Row:
    lead = f.case["lead_agency"] == a
    own = [k for k in f.consents if k["recipient"] == a]
    consented = Window.of((k["starts_at"], _end(k)) for k in own)
    # The lead is warned of any consent on the case that runs out, others of their own.
    warned = Window.of(_warning(k) for k in (f.consents if lead else own) if k["expires_at"])
    dues = [m["due_on"] for m in f.milestones
            if m["open"] and (lead or m["responsible_agency"] == a)]  # fmt: skip
    dues += [_eve(r["review_on"]) for r in f.reviews if lead or r["concluded_by"] == a]
    return {
        "agency": a, "case_id": f.case["case_id"], "opened_at": f.case["opened_at"],
        "lead": int(lead), **_work(f, a), "first_due": min(dues, default=NO_DUE_DATE),
        "consent_from": consented.start, "consent_until": consented.end,
        "consent_exact": int(consented.exact),
        "warn_from": warned.start, "warn_until": warned.end, "warn_exact": int(warned.exact),
    }  # fmt: skip


def _work(f: CaseFacts, a: str) -> Row:
    """What the agency itself has open on the case, and whether a referral awaits its answer."""
    return {
        "referral_recipient": int(any(r["to_agency"] == a and r["status"] in OPEN_REFERRAL
                                      for r in f.referrals)),
        "course_provider": int(any(k["provider"] == a and k["active"] for k in f.courses)),
        "milestone_owner": int(any(m["responsible_agency"] == a and m["open"]
                                   for m in f.milestones)),
        "pending": int(any(r["to_agency"] == a and r["status"] == "sent" for r in f.referrals)),
    }  # fmt: skip


def _eve(review_on: str) -> str:
    """The day before a review: a page takes a due date before its day as overdue, and a
    review is due on its own day already."""
    return (date.fromisoformat(review_on) - timedelta(days=1)).isoformat()


def _end(consent: Row) -> str:
    """When a consent stops being active: expiry or withdrawal, whichever comes first."""
    return min(consent["expires_at"] or FOREVER, consent["withdrawn_at"] or FOREVER)


def _warning(consent: Row) -> tuple[str, str]:
    """While a consent is active and expires within EXPIRY_WARNING."""
    expires = datetime.fromisoformat(consent["expires_at"])
    return max(consent["starts_at"], stamp(expires - EXPIRY_WARNING)), _end(consent)
