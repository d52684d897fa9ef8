"""The access log: every read of another agency's data and every refusal.

It holds ids, categories and reasons only, never personal data.
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.domain import EventSourcingError

from coordination.adapters.store.database import Database, Row
from coordination.adapters.store.recorders import RowWrite
from coordination.adapters.timestamps import stamp
from coordination.domain.identity import Caller


# The action of the entry that names who brought a case in by bulk import (F-6).
class AccessLogUnavailable(Exception):
    """The access log cannot be written or read, so the request that needs it is refused."""

    def __init__(self) -> None:
        super().__init__("the access log is unavailable; nothing is shown without its entry")


IMPORTED = "imported"


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    agency_id: str
    token_label: str
    role: str
    request_id: str
    case_id: str | None
    action: str  # read, withheld, refused, erased, imported
    categories: list[str] = field(default_factory=list)
    basis: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    purpose: str | None = None  # the purpose a read was made under, if the reader named one
    user: str = ""  # the person signed in to the web app (pseudonymous id), if one acted

    @classmethod
    def of(
        cls, caller: Caller, at: datetime, case_id: object, action: str, **details: Any
    ) -> "AccessEntry":
        """An entry naming the caller: agency, credential, role, request and person."""
        p = caller.principal
        return cls(
            at=at, agency_id=caller.agency_id, token_label=p.token_label, role=p.role.value,
            request_id=caller.request_id, case_id=str(case_id) if case_id else None,
            action=action, user=p.user, **details,
        )  # fmt: skip


def _entry(row: Row) -> AccessEntry:
    return AccessEntry(
        at=datetime.fromisoformat(row["at"]),
        agency_id=row["agency_id"],
        token_label=row["token_label"],
        role=row["role"],
        request_id=row["request_id"],
        case_id=row["case_id"],
        action=row["action"],
        categories=json.loads(row["categories"]),
        basis=json.loads(row["basis"]),
        reason=row["reason"],
        purpose=row["purpose"],
        user=row["user_id"] or "",
    )


INSERT = (
    "INSERT INTO {p}access_log (at, agency_id, token_label, role, request_id,"
    " case_id, action, categories, basis, reason, purpose, user_id)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


# Many entries as one statement, in their order: a JSON array of each entry's _params.
_INSERT_MANY = {
    "postgres": "INSERT INTO {p}access_log (at, agency_id, token_label, role, request_id,"
    " case_id, action, categories, basis, reason, purpose, user_id) SELECT r->>0, r->>1,"
    " r->>2, r->>3, r->>4, r->>5, r->>6, r->>7, r->>8, r->>9, r->>10, r->>11"
    " FROM json_array_elements(%s::json) WITH ORDINALITY AS e(r, n) ORDER BY n",
    "sqlite": "INSERT INTO {p}access_log (at, agency_id, token_label, role, request_id,"
    " case_id, action, categories, basis, reason, purpose, user_id) SELECT value->>0,"
    " value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7,"
    " value->>8, value->>9, value->>10, value->>11 FROM json_each(%s) ORDER BY key",
}


def _params(e: AccessEntry) -> tuple[Any, ...]:
    return (stamp(e.at), e.agency_id, e.token_label, e.role, e.request_id, e.case_id,
            e.action, json.dumps(sorted(e.categories)), json.dumps(e.basis, sort_keys=True),
            e.reason, e.purpose, e.user or None)  # fmt: skip


@dataclass(frozen=True)
class LogFilter:
    """Which entries a search of the log wants; `agencies` bounds it (the scope)."""

    agencies: tuple[str, ...]
    action: str | None = None
    user: str | None = None
    case_id: str | None = None
    since: datetime | None = None  # inclusive
    before: datetime | None = None  # exclusive


_SEARCH_FILTERS = (
    " AND (CAST(%(action)s AS TEXT) IS NULL OR action = %(action)s)"
    " AND (CAST(%(user_id)s AS TEXT) IS NULL OR user_id = %(user_id)s)"
    " AND (CAST(%(case_id)s AS TEXT) IS NULL OR case_id = %(case_id)s)"
    " AND (CAST(%(since)s AS TEXT) IS NULL OR at >= %(since)s)"
    " AND (CAST(%(before)s AS TEXT) IS NULL OR at < %(before)s)"
    " AND (CAST(%(below)s AS BIGINT) IS NULL OR entry_id < %(below)s)"
    " ORDER BY entry_id DESC LIMIT %(n)s"
)
# Constant text only: the scope's clause of each dialect, then the filters above.
_SEARCH = {
    "postgres": "SELECT * FROM {p}access_log WHERE agency_id IN"  # noqa: S608
    " (SELECT json_array_elements_text(%(agencies)s::json))" + _SEARCH_FILTERS,
    "sqlite": "SELECT * FROM {p}access_log WHERE agency_id IN"  # noqa: S608
    " (SELECT value FROM json_each(%(agencies)s))" + _SEARCH_FILTERS,
}


class AccessLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def write(self, *entries: AccessEntry) -> None:
        """Append entries, or raise AccessLogUnavailable: no read goes unlogged."""
        with _unavailable_on_failure(), self.db.transaction() as cursor:
            for e in entries:
                self.db.run(cursor, INSERT, _params(e))

    def row(self, entry: AccessEntry) -> RowWrite:
        """The entry as a row to commit in an event's own transaction."""
        return RowWrite(self.db.sql(INSERT), _params(entry))

    def rows(self, entries: Sequence[AccessEntry]) -> RowWrite:
        """Entries, in order, as one row write: a bulk import's, a statement per batch."""
        many = json.dumps([_params(e) for e in entries])
        return RowWrite(self.db.sql(_INSERT_MANY[self.db.dialect]), (many,))

    def for_case(self, case_id: str) -> list[AccessEntry]:
        with _unavailable_on_failure():
            rows = self.db.fetch_all(
                "SELECT * FROM {p}access_log WHERE case_id = %s ORDER BY entry_id", (case_id,)
            )
        return [_entry(r) for r in rows]

    def search(
        self, f: LogFilter, limit: int, below: int | None = None
    ) -> tuple[list[AccessEntry], int | None]:
        """The newest entries that match, below the entry id `below`, and the id to go on
        below (None: no more). A filter left out (None) matches every entry."""
        params = {
            "agencies": json.dumps(f.agencies), "action": f.action, "user_id": f.user,
            "case_id": f.case_id, "since": stamp(f.since) if f.since else None,
            "before": stamp(f.before) if f.before else None, "below": below, "n": limit + 1,
        }  # fmt: skip
        with _unavailable_on_failure():
            rows = self.db.fetch_all(_SEARCH[self.db.dialect], params)
        more = len(rows) > limit
        return [_entry(r) for r in rows[:limit]], rows[limit - 1]["entry_id"] if more else None

    def between(self, start: datetime, end: datetime) -> list[AccessEntry]:
        """Entries with start <= at < end; `at` is stamp() text, so text order is time order."""
        with _unavailable_on_failure():
            rows = self.db.fetch_all(
                "SELECT * FROM {p}access_log WHERE at >= %s AND at < %s ORDER BY entry_id",
                (stamp(start), stamp(end)),
            )
        return [_entry(r) for r in rows]


@contextmanager
def _unavailable_on_failure() -> Iterator[None]:
    """Whatever the store's failure, the caller learns one thing: no log, no answer (503)."""
    try:
        yield
    except EventSourcingError as failure:
        raise AccessLogUnavailable from failure
