"""Reading a caseload: membership and order in SQL, each page's items in Python.

Pages are ordered by (action needed first, opened_at, case_id) and continue
after the last key, so a write that does not change whether a case needs
action never moves it between pages. The cursor also fixes the instant that
consent validity and overdue milestones are judged at.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from consent import Category
from consent.record import LOCAL_TIME
from coordination.store.database import stamp
from projections.caseload.view import CaseloadView

ROLES = ("lead", "referral_recipient", "course_provider", "milestone_owner")
EXPIRY_WARNING = timedelta(days=14)

_ACTIVE = ("{k}.starts_at <= %(now)s AND ({k}.expires_at IS NULL OR {k}.expires_at > %(now)s)"
           " AND ({k}.withdrawn_at IS NULL OR {k}.withdrawn_at > %(now)s)")  # fmt: skip
_MEMBER = {
    "lead": "SELECT case_id FROM {p}caseload_cases WHERE lead_agency = %(a)s",
    "referral_recipient": "SELECT case_id FROM {p}caseload_referrals"
    " WHERE to_agency = %(a)s AND status IN ('sent', 'accepted')",
    "course_provider": "SELECT case_id FROM {p}caseload_courses"
    " WHERE provider = %(a)s AND active = 1",
    "milestone_owner": "SELECT case_id FROM {p}caseload_milestones"
    " WHERE responsible_agency = %(a)s AND open = 1",
}
_OVERDUE = (
    "EXISTS (SELECT 1 FROM {p}caseload_milestones m WHERE m.case_id = c.case_id AND m.open = 1"
    " AND m.due_on < %(today)s AND (m.responsible_agency = %(a)s OR c.lead_agency = %(a)s))"
)
_ACTION = (
    "EXISTS (SELECT 1 FROM {p}caseload_referrals r WHERE r.case_id = c.case_id"
    " AND r.to_agency = %(a)s AND r.status = 'sent') OR " + _OVERDUE + " OR EXISTS (SELECT 1"
    " FROM {p}caseload_consents k WHERE k.case_id = c.case_id AND k.expires_at <= %(soon)s AND "
    + _ACTIVE.format(k="k")
    + " AND (k.recipient = %(a)s OR c.lead_agency = %(a)s))"
)


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
    last_event_at: str
    action_needed: bool
    # Which consent let the agency read the name; None for its own record.
    identity_basis: str | None = field(default=None, repr=False)


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
    rows = view.rows(_page_sql(q), params)
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    items = _items(view, q, [r["case_id"] for r in rows], params)
    return items, encode_cursor(q, rows[-1]) if more and rows else None


def _params(q: CaseloadQuery) -> dict[str, Any]:
    now = stamp(q.now)
    params: dict[str, Any] = {"a": q.agency, "now": now, "soon": stamp(q.now + EXPIRY_WARNING),
                              "today": q.now.astimezone(LOCAL_TIME).date().isoformat(),
                              "limit": q.limit + 1}  # fmt: skip
    if q.after:
        params.update(b=q.after[0], o=q.after[1], c=q.after[2])
    return params


def _page_sql(q: CaseloadQuery) -> str:
    roles = [q.role] if q.role else list(ROLES)
    consented = (
        "c.case_id IN (SELECT case_id FROM {p}caseload_consents k"
        f" WHERE k.recipient = %(a)s AND {_ACTIVE.format(k='k')})"
    )
    branches = [
        f"c.case_id IN ({_MEMBER[r]})" + ("" if r == "lead" else f" AND {consented}") for r in roles
    ]
    where = [f"({' OR '.join(branches)})", "c.closed = 0"]
    if q.overdue:
        where.append(_OVERDUE)
    ranked = (f"SELECT c.case_id, c.opened_at, CASE WHEN {_ACTION} THEN 0 ELSE 1 END AS bucket"
              f" FROM {{p}}caseload_cases c WHERE {' AND '.join(where)}")  # fmt: skip
    after = " WHERE (bucket, opened_at, case_id) > (%(b)s, %(o)s, %(c)s)" if q.after else ""
    return (f"SELECT * FROM ({ranked}) ranked{after}"
            " ORDER BY bucket, opened_at, case_id LIMIT %(limit)s")  # fmt: skip


def _items(
    view: CaseloadView, q: CaseloadQuery, case_ids: list[str], params: dict[str, Any]
) -> list[CaseloadItem]:
    if not case_ids:
        return []
    facts = _facts(view, case_ids)
    return [_item(view, q, params, case_id, facts) for case_id in case_ids]


def _facts(view: CaseloadView, case_ids: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    marks = ", ".join(["%s"] * len(case_ids))
    facts: dict[str, dict[str, list[dict[str, Any]]]] = {c: {} for c in case_ids}
    for table in ("cases", "consents", "referrals", "courses", "milestones"):
        statement = f"SELECT * FROM {{p}}caseload_{table} WHERE case_id IN ({marks})"
        for row in view.rows(statement, case_ids):
            facts[row["case_id"]].setdefault(table, []).append(row)
    return facts


def _active_consents(rows: list[dict[str, Any]], agency: str, now: str) -> list[dict[str, Any]]:
    return sorted(
        (k for k in rows if k["recipient"] == agency and k["starts_at"] <= now
         and (k["expires_at"] is None or k["expires_at"] > now)
         and (k["withdrawn_at"] is None or k["withdrawn_at"] > now)),
        key=lambda k: (k["starts_at"], k["consent_id"]),
    )  # fmt: skip


def _item(
    view: CaseloadView, q: CaseloadQuery, params: dict[str, Any], case_id: str,
    facts: dict[str, Any],
) -> CaseloadItem:  # fmt: skip
    f = facts[case_id]
    case, a = f["cases"][0], q.agency
    lead = case["lead_agency"] == a
    consents = _active_consents(f.get("consents", []), a, params["now"])
    covering = {c: k["consent_id"] for k in reversed(consents) for c in json.loads(k["categories"])}
    referrals = [
        r
        for r in f.get("referrals", [])
        if r["status"] in ("sent", "accepted") and (lead or r["to_agency"] == a)
    ]
    courses = [k for k in f.get("courses", []) if k["active"] and (lead or k["provider"] == a)]
    milestones = sorted((m for m in f.get("milestones", [])
                         if m["open"] and (lead or m["responsible_agency"] == a)),
                        key=lambda m: (m["due_on"], m["milestone_id"]))  # fmt: skip
    overdue = [m for m in milestones if m["due_on"] < params["today"]]
    roles = _roles(lead, bool(consents), a, f)
    own_name = case["opened_by"] == a
    shows_name = own_name or Category.IDENTITY in covering
    return CaseloadItem(
        case_id=case_id,
        display_name=view.open(case_id, case["display_name"], "name") if shows_name else None,
        municipality=case["municipality"],
        roles=roles,
        open_referrals=len(referrals),
        active_courses=len(courses),
        next_milestone=_next(view, case_id, milestones, a, covering),
        overdue_milestones=len(overdue),
        last_event_at=case["last_event_at"],
        action_needed=bool(overdue) or _pending(f, a) or _expiring(f, a, lead, params),
        identity_basis=None if own_name or not shows_name else covering[Category.IDENTITY],
    )


def _roles(lead: bool, consented: bool, a: str, f: dict[str, Any]) -> list[str]:
    roles = ["lead"] if lead else []
    if consented:
        if any(r["to_agency"] == a and r["status"] in ("sent", "accepted")
               for r in f.get("referrals", [])):  # fmt: skip
            roles.append("referral_recipient")
        if any(k["provider"] == a and k["active"] for k in f.get("courses", [])):
            roles.append("course_provider")
        if any(m["responsible_agency"] == a and m["open"] for m in f.get("milestones", [])):
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


def _pending(f: dict[str, Any], a: str) -> bool:
    return any(r["to_agency"] == a and r["status"] == "sent" for r in f.get("referrals", []))


def _expiring(f: dict[str, Any], a: str, lead: bool, params: dict[str, Any]) -> bool:
    now, soon = params["now"], params["soon"]
    return any(
        k["expires_at"] is not None and now < k["expires_at"] <= soon and k["starts_at"] <= now
        and k["withdrawn_at"] is None and (lead or k["recipient"] == a)
        for k in f.get("consents", [])
    )  # fmt: skip
