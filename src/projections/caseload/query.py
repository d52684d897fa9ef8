"""Reading a caseload: membership and order in SQL, each page's items in Python.

Pages are ordered by (action needed first, opened_at, case_id) and continue
after the last key, so a write that does not change whether a case needs
action never moves it between pages. The cursor also fixes the instant that
consent validity and overdue milestones are judged at.

A page reads `caseload_members` (one row per agency and case, `members.py`) along
its index on (agency, opened_at, case_id), once per bucket, and stops after the
page: it never ranks the agency's whole caseload (ADR 0018). Each row carries the
instants where its membership and its bucket change; only a row whose consents
leave a gap in those spans is checked against the consents themselves. The items
are built from the cases' cards, one row per case (ADR 0031).
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from consent import Category
from consent.record import LOCAL_TIME
from coordination.adapters.timestamps import stamp
from coordination.domain.values import Side
from projections.caseload.members import EXPIRY_WARNING, CaseFacts
from projections.caseload.reader import Reader
from projections.caseload.view import CaseloadView

ROLES = ("lead", "referral_recipient", "course_provider", "milestone_owner")

_ACTIVE = ("{k}.starts_at <= %(now)s AND ({k}.expires_at IS NULL OR {k}.expires_at > %(now)s)"
           " AND ({k}.withdrawn_at IS NULL OR {k}.withdrawn_at > %(now)s)")  # fmt: skip
# The stored spans answer alone where they are exact; otherwise the consents decide.
_CONSENTED = (
    "m.consent_from <= %(now)s AND %(now)s < m.consent_until AND (m.consent_exact = 1"
    " OR EXISTS (SELECT 1 FROM {p}caseload_consents k WHERE k.case_id = m.case_id"
    " AND k.recipient = %(a)s AND " + _ACTIVE.format(k="k") + "))"
)
_EXPIRING = (
    "m.warn_from <= %(now)s AND %(now)s < m.warn_until AND (m.warn_exact = 1"
    " OR EXISTS (SELECT 1 FROM {p}caseload_consents k WHERE k.case_id = m.case_id"
    " AND k.expires_at <= %(soon)s AND "
    + _ACTIVE.format(k="k")
    + " AND (k.recipient = %(a)s OR m.lead = 1)))"
)
_OVERDUE = "m.first_due < %(today)s"
_ACTION = f"(m.pending = 1 OR {_OVERDUE} OR ({_EXPIRING}))"
_WORK = "(m.referral_recipient = 1 OR m.course_provider = 1 OR m.milestone_owner = 1)"
_MEMBER = {
    None: f"(m.lead = 1 OR ({_WORK} AND {_CONSENTED}))",
    "lead": "m.lead = 1",
    "referral_recipient": f"m.referral_recipient = 1 AND {_CONSENTED}",
    "course_provider": f"m.course_provider = 1 AND {_CONSENTED}",
    "milestone_owner": f"m.milestone_owner = 1 AND {_CONSENTED}",
}
# Which rows each bucket holds, judged at the page's instant.
_BUCKET = {0: _ACTION, 1: f"NOT {_ACTION}"}


SIDES = tuple(side.value for side in Side)


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class CaseloadQuery:
    agency: str
    now: datetime
    role: str | None = None
    overdue: bool = False
    limit: int = 50
    after: tuple[int, str, str] | None = None  # (bucket, opened_at, case_id)


@dataclass
class CaseloadItem:
    case_id: str
    display_name: str | None
    municipality: str
    roles: list[str]
    open_referrals: int
    active_courses: int
    next_milestone: dict[str, Any] | None
    overdue_milestones: int
    # Of those: the person's obligations and the agencies'.
    overdue_by_side: dict[str, int]
    # Running agreements whose review date has come.
    reviews_due: int
    last_event_at: str
    action_needed: bool
    # Which consent let the agency read the name; None for its own record.
    identity_basis: str | None = field(default=None, repr=False)
    # Referrals to the agency that wait for its answer: their ids and senders (the inbox
    # answers them in place).
    awaiting: list[dict[str, str]] = field(default_factory=list, repr=False)


def encode_cursor(query: CaseloadQuery, last: dict[str, Any]) -> str:
    key = {"b": last["bucket"], "o": last["opened_at"], "c": last["case_id"],
           "t": query.now.isoformat()}  # fmt: skip
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[tuple[int, str, str], datetime]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = (int(key["b"]), str(key["o"]), str(key["c"]))
        if "\x00" in after[1] + after[2]:  # no cursor given out holds one; PostgreSQL refuses it
            raise ValueError("NUL in the cursor")
        return after, datetime.fromisoformat(key["t"])
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise BadCursor("the cursor is not one this service gave out") from e


def read_page(view: CaseloadView, q: CaseloadQuery) -> tuple[list[CaseloadItem], str | None]:
    params = _params(q)
    with view.reading() as reader:
        rows = _keys(reader, q, params)
        more = len(rows) > q.limit
        rows = rows[: q.limit]
        facts = reader.cards([r["case_id"] for r in rows])
        view.load_keys(reader, facts)
    items = [_item(view, q, params, facts[r["case_id"]]) for r in rows]
    return items, encode_cursor(q, rows[-1]) if more and rows else None


def _keys(reader: Reader, q: CaseloadQuery, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Up to one more key than the page holds, in page order: the first bucket's, then,
    only if that did not fill the page, the second's. Each scan stops once it has enough."""
    rows: list[dict[str, Any]] = []
    for bucket in _buckets(q):
        after = q.after[1:] if q.after and q.after[0] == bucket else ("", "")
        wanted = q.limit + 1 - len(rows)
        scan = {**params, "o": after[0], "c": after[1], "limit": wanted}
        rows += [{**r, "bucket": bucket} for r in reader.rows(_page_sql(q, bucket), scan)]
        if len(rows) > q.limit:
            break
    return rows


def _buckets(q: CaseloadQuery) -> list[int]:
    """The buckets a page may still come from: none after a cursor past the last one,
    and only the first when asked for overdue cases, which always need action."""
    last = 0 if q.overdue else 1
    return [b for b in _BUCKET if b <= last and (q.after is None or q.after[0] <= b)]


def _params(q: CaseloadQuery) -> dict[str, Any]:
    # The warning span is absolute time, as members.py stores it.
    soon = q.now.astimezone(UTC) + EXPIRY_WARNING
    return {"a": q.agency, "now": stamp(q.now), "soon": stamp(soon),
            "today": q.now.astimezone(LOCAL_TIME).date().isoformat()}  # fmt: skip


def _page_sql(q: CaseloadQuery, bucket: int) -> str:
    """One bucket's rows after the key, along the index on (agency, opened_at, case_id)."""
    where = [_MEMBER[q.role], _BUCKET[bucket]]
    if q.overdue:
        where.append(_OVERDUE)
    return (
        "SELECT m.opened_at, m.case_id FROM {p}caseload_members m"
        " WHERE m.agency = %(a)s AND (m.opened_at, m.case_id) > (%(o)s, %(c)s)"
        f" AND {' AND '.join(where)} ORDER BY m.opened_at, m.case_id LIMIT %(limit)s"
    )


def _active_consents(rows: list[dict[str, Any]], agency: str, now: str) -> list[dict[str, Any]]:
    return sorted(
        (k for k in rows if k["recipient"] == agency and k["starts_at"] <= now
         and (k["expires_at"] is None or k["expires_at"] > now)
         and (k["withdrawn_at"] is None or k["withdrawn_at"] > now)),
        key=lambda k: (k["starts_at"], k["consent_id"]),
    )  # fmt: skip


def _item(
    view: CaseloadView, q: CaseloadQuery, params: dict[str, Any], f: CaseFacts
) -> CaseloadItem:
    case, case_id, a = f.case, f.case["case_id"], q.agency
    lead = case["lead_agency"] == a
    consents = _active_consents(f.consents, a, params["now"])
    covering = {c: k["consent_id"] for k in reversed(consents) for c in json.loads(k["categories"])}
    referrals = [
        r
        for r in f.referrals
        if r["status"] in ("sent", "accepted") and (lead or r["to_agency"] == a)
    ]
    courses = [k for k in f.courses if k["active"] and (lead or k["provider"] == a)]
    milestones = sorted((m for m in f.milestones
                         if m["open"] and (lead or m["responsible_agency"] == a)),
                        key=lambda m: (m["due_on"], m["milestone_id"]))  # fmt: skip
    overdue = [m for m in milestones if m["due_on"] < params["today"]]
    reviews = [r for r in f.reviews if r["review_on"] <= params["today"]
               and (lead or r["concluded_by"] == a)]  # fmt: skip
    roles = _roles(lead, bool(consents), a, f)
    awaiting = _awaiting(f, a)
    own_name = case["opened_by"] == a
    shows_name = own_name or Category.IDENTITY in covering
    return CaseloadItem(
        case_id=case_id,
        display_name=view.display_name(case_id, case) if shows_name else None,
        municipality=case["municipality"],
        roles=roles,
        open_referrals=len(referrals),
        active_courses=len(courses),
        next_milestone=_next(view, case_id, milestones, a, covering),
        overdue_milestones=len(overdue),
        overdue_by_side={side: sum(m["side"] == side for m in overdue) for side in SIDES},
        reviews_due=len(reviews),
        last_event_at=case["last_event_at"],
        action_needed=bool(overdue or awaiting or reviews) or _expiring(f, a, lead, params),
        identity_basis=None if own_name or not shows_name else covering[Category.IDENTITY],
        awaiting=awaiting,
    )


def _roles(lead: bool, consented: bool, a: str, f: CaseFacts) -> list[str]:
    roles = ["lead"] if lead else []
    if consented:
        if any(r["to_agency"] == a and r["status"] in ("sent", "accepted")
               for r in f.referrals):  # fmt: skip
            roles.append("referral_recipient")
        if any(k["provider"] == a and k["active"] for k in f.courses):
            roles.append("course_provider")
        if any(m["responsible_agency"] == a and m["open"] for m in f.milestones):
            roles.append("milestone_owner")
    return roles


def _next(
    view: CaseloadView, case_id: str, milestones: list[dict[str, Any]], a: str,
    covering: dict[str, str],
) -> dict[str, Any] | None:  # fmt: skip
    if not milestones:
        return None
    m = milestones[0]
    readable = m["concluded_by"] == a or Category.INTEGRATION_PLAN in covering
    title = view.open(case_id, m["title"], "milestone-title") if readable else None
    return {"title": title, "due_on": m["due_on"]}


def _awaiting(f: CaseFacts, a: str) -> list[dict[str, str]]:
    return [{"referral_id": r["referral_id"], "from_agency": r["from_agency"]}
            for r in f.referrals if r["to_agency"] == a and r["status"] == "sent"]  # fmt: skip


def _expiring(f: CaseFacts, a: str, lead: bool, params: dict[str, Any]) -> bool:
    now, soon = params["now"], params["soon"]
    return any(
        k["expires_at"] is not None and now < k["expires_at"] <= soon and k["starts_at"] <= now
        and k["withdrawn_at"] is None and (lead or k["recipient"] == a)
        for k in f.consents
    )  # fmt: skip
