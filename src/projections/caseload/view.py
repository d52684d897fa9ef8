"""Caseload tables. Time-dependent facts (consent validity, overdue milestones)
are stored as instants and dates, and judged at query time.

The per-case tables hold the facts; `caseload_members` holds, per (agency, case),
what a page is ordered and filtered by (`members.py`), and each case's card, on its
`caseload_cases` row, all its facts for a page to read (`cards.py`). Both are derived
from the facts of every case an event touched, once per batch, in the batch's
transaction.
"""

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import ClassVar, Concatenate, ParamSpec
from uuid import UUID

from eventsourcing.persistence import Tracking

from coordination.store.database import Cursor, Database, Params, stamp
from coordination.store.keys import TextSealer
from projections.caseload.cards import UPDATE_CASES, Card, card_of, facts_of, touched_rows
from projections.caseload.members import CaseFacts, Row, member_rows
from projections.view import View

TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}caseload_cases (
        case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, lead_agency TEXT NOT NULL,
        opened_by TEXT NOT NULL, display_name TEXT, opened_at TEXT NOT NULL,
        last_event_at TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0, card TEXT)""",
    """CREATE TABLE IF NOT EXISTS {p}caseload_consents (
        case_id TEXT NOT NULL, consent_id TEXT NOT NULL, recipient TEXT NOT NULL,
        categories TEXT NOT NULL, starts_at TEXT NOT NULL, expires_at TEXT,
        withdrawn_at TEXT, PRIMARY KEY (case_id, consent_id, recipient))""",
    """CREATE TABLE IF NOT EXISTS {p}caseload_referrals (
        case_id TEXT NOT NULL, referral_id TEXT NOT NULL, from_agency TEXT NOT NULL,
        to_agency TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (case_id, referral_id))""",
    """CREATE TABLE IF NOT EXISTS {p}caseload_courses (
        case_id TEXT NOT NULL, course_id TEXT NOT NULL, provider TEXT NOT NULL,
        active INTEGER NOT NULL, PRIMARY KEY (case_id, course_id))""",
    """CREATE TABLE IF NOT EXISTS {p}caseload_milestones (
        case_id TEXT NOT NULL, agreement_id TEXT NOT NULL, milestone_id TEXT NOT NULL,
        responsible_agency TEXT NOT NULL, concluded_by TEXT NOT NULL, title TEXT,
        due_on TEXT NOT NULL, open INTEGER NOT NULL,
        PRIMARY KEY (case_id, agreement_id, milestone_id))""",
    """CREATE TABLE IF NOT EXISTS {p}caseload_members (
        agency TEXT NOT NULL, case_id TEXT NOT NULL, opened_at TEXT NOT NULL,
        lead INTEGER NOT NULL, referral_recipient INTEGER NOT NULL,
        course_provider INTEGER NOT NULL, milestone_owner INTEGER NOT NULL,
        pending INTEGER NOT NULL, first_due TEXT NOT NULL,
        consent_from TEXT NOT NULL, consent_until TEXT NOT NULL, consent_exact INTEGER NOT NULL,
        warn_from TEXT NOT NULL, warn_until TEXT NOT NULL, warn_exact INTEGER NOT NULL,
        PRIMARY KEY (case_id, agency))""",
    # A page is a range of this index, in page order. It holds every column a page
    # filters on, so a page is read from the index alone (PostgreSQL: index-only scan).
    """CREATE INDEX IF NOT EXISTS caseload_members_page ON {p}caseload_members (
        agency, opened_at, case_id, lead, referral_recipient, course_provider,
        milestone_owner, pending, first_due, consent_from, consent_until, consent_exact,
        warn_from, warn_until, warn_exact)""",
]
# Indexes of the query before ADR 0018; nothing reads by them any more, and every
# write would still pay for them.
RETIRED = [
    "DROP INDEX IF EXISTS {p}caseload_cases_lead",
    "DROP INDEX IF EXISTS {p}caseload_consents_recipient",
    "DROP INDEX IF EXISTS {p}caseload_referrals_to",
    "DROP INDEX IF EXISTS {p}caseload_courses_provider",
    "DROP INDEX IF EXISTS {p}caseload_milestones_owner",
]
# A case's facts, per table: `Reader.facts` adds the list of case ids and the order,
# key order, so that equal facts make equal cards.
OF_CASES = {
    "cases": "SELECT case_id, municipality, lead_agency, opened_by, display_name, opened_at,"
    " last_event_at, closed FROM {p}caseload_cases WHERE case_id IN",
    "consents": "SELECT * FROM {p}caseload_consents WHERE case_id IN",
    "referrals": "SELECT * FROM {p}caseload_referrals WHERE case_id IN",
    "courses": "SELECT * FROM {p}caseload_courses WHERE case_id IN",
    "milestones": "SELECT * FROM {p}caseload_milestones WHERE case_id IN",
}
IN_ORDER = {
    "cases": "",
    "consents": " ORDER BY case_id, consent_id, recipient",
    "referrals": " ORDER BY case_id, referral_id",
    "courses": " ORDER BY case_id, course_id",
    "milestones": " ORDER BY case_id, agreement_id, milestone_id",
}
# Member rows go in as one JSON array, one bound value: thousands of placeholders
# cost more to bind and parse than the rows cost to write.
INSERT_MEMBERS = {
    "postgres": "INSERT INTO {p}caseload_members"
    " SELECT * FROM json_populate_recordset(NULL::{p}caseload_members, %s::json)",
    "sqlite": "INSERT INTO {p}caseload_members SELECT value ->> 'agency', value ->> 'case_id',"
    " value ->> 'opened_at', value ->> 'lead', value ->> 'referral_recipient',"
    " value ->> 'course_provider', value ->> 'milestone_owner', value ->> 'pending',"
    " value ->> 'first_due', value ->> 'consent_from', value ->> 'consent_until',"
    " value ->> 'consent_exact', value ->> 'warn_from', value ->> 'warn_until',"
    " value ->> 'warn_exact' FROM json_each(%s)",
}
HAS_CARDS = {
    "postgres": "SELECT 1 FROM information_schema.columns WHERE table_schema || '.' = %s"
    " AND table_name = 'caseload_cases' AND column_name = 'card'",
    "sqlite": "SELECT 1 FROM pragma_table_info('caseload_cases') WHERE name = 'card'",
}
CHUNK = 500  # case ids per statement: far below SQLite's limit of bound values


class Reader:
    """Reads through the cursor of a transaction that is already open: a batch's, or
    one page's, so a page's statements share one connection and its round trips."""

    def __init__(self, db: Database, cursor: Cursor) -> None:
        self.db, self.cursor = db, cursor

    def rows(self, statement: str, params: Params = ()) -> list[Row]:
        self.db.run(self.cursor, statement, params)
        return [dict(row) for row in self.cursor.fetchall()]

    def cards(self, case_ids: Sequence[str]) -> dict[str, CaseFacts]:
        """Every fact of these cases (at most CHUNK), from their cards: one statement."""
        if not case_ids:
            return {}
        rows = self.rows(f"SELECT * FROM {{p}}caseload_cases WHERE case_id IN"
                         f" ({', '.join(['%s'] * len(case_ids))})", case_ids)  # fmt: skip
        return {row["case_id"]: facts_of(row) for row in rows}

    def facts(self, case_ids: Sequence[str]) -> dict[str, CaseFacts]:
        """Every fact of these cases (at most CHUNK), one statement per table."""
        if not case_ids:
            return {}
        found: dict[str, dict[str, list[Row]]] = {c: {t: [] for t in OF_CASES} for c in case_ids}
        for table in OF_CASES:
            for row in self.rows(f"{OF_CASES[table]} ({', '.join(['%s'] * len(case_ids))})"
                                 f"{IN_ORDER[table]}", case_ids):  # fmt: skip
                found[row["case_id"]][table].append(row)
        return {
            case_id: CaseFacts(f["cases"][0], f["consents"], f["referrals"], f["courses"],
                               f["milestones"])
            for case_id, f in found.items() if f["cases"]
        }  # fmt: skip


P = ParamSpec("P")
Handler = Callable[Concatenate["CaseloadView", str, P], None]


def _changes_case(handler: Handler[P]) -> Handler[P]:
    """A handler that changes facts of the case it names first: that case's member rows
    are redone once, when the batch ends, whatever else the batch does to the case."""

    @functools.wraps(handler)
    def changing(view: "CaseloadView", case_id: str, /, *args: P.args, **kwargs: P.kwargs) -> None:
        view._changed.add(case_id)
        handler(view, case_id, *args, **kwargs)

    return changing


class CaseloadView(View):
    """Names and milestone titles are sealed with their case's key, so they are never
    plaintext in the database and read as None once the case is erased. A view kept
    only in memory (a replay for an audit) may go without a sealer."""

    name: ClassVar[str] = "caseload"
    tables = TABLES
    table_names = ("caseload_members", "caseload_milestones", "caseload_courses",
                   "caseload_referrals", "caseload_consents", "caseload_cases")  # fmt: skip

    def __init__(self, db: Database, sealer: TextSealer | None = None) -> None:
        super().__init__(db)
        self.sealer = sealer
        self._changed: set[str] = set()  # cases whose facts the current batch changed
        self._touched: dict[str, str] = {}  # case -> its latest event's instant, this batch

    def create_tables(self) -> None:
        super().create_tables()
        with self.db.transaction() as cursor:
            for statement in RETIRED:
                self.db.run(cursor, statement)
            carded = self._has_cards(cursor)
            if not carded:
                self.db.run(cursor, "ALTER TABLE {p}caseload_cases ADD COLUMN card TEXT")
        if not carded or self._predates_members():
            self.clear()

    def _has_cards(self, cursor: Cursor) -> bool:
        """A view written before cards (ADR 0031) gains the column, and is emptied
        below so that the runner rebuilds it, every case with its card."""
        schema = (self.db.prefix,) if self.db.dialect == "postgres" else ()
        self.db.run(cursor, HAS_CARDS[self.db.dialect], schema)
        return bool(cursor.fetchall())

    def _predates_members(self) -> bool:
        """A view written before `caseload_members` existed has open cases and no member
        rows (every open case has at least its lead's). It is emptied, so the runner
        rebuilds it from zero, as `coordination projections rebuild` would."""
        row = self.db.fetch_one(
            "SELECT EXISTS (SELECT 1 FROM {p}caseload_cases WHERE closed = 0) AS cases,"
            " EXISTS (SELECT 1 FROM {p}caseload_members) AS members"
        )
        return row is not None and bool(row["cases"]) and not row["members"]

    @contextmanager
    def batch(self, last: Tracking) -> Iterator[None]:
        self._changed, self._touched = set(), {}
        with super().batch(last):
            yield

    def finish_batch(self) -> None:
        cards = self._derive_members()
        self._update_cases(cards)

    def _update_cases(self, cards: dict[str, Card]) -> None:
        """Every event dates its case, and every changed case gets its new card: one
        statement for the batch, not one per event."""
        touched, self._touched = self._touched, {}
        if touched or cards:
            self.write(UPDATE_CASES[self.db.dialect], (touched_rows(touched, cards),))

    def _derive_members(self) -> dict[str, Card]:
        """Recompute the member rows and the card of every case whose facts the batch
        changed, from those facts; return the cards."""
        assert self._cursor is not None
        # Read through the batch's cursor: a second connection inside a write
        # transaction can stall behind a waiting writer on SQLite.
        reader = Reader(self.db, self._cursor)
        changed, self._changed = sorted(self._changed), set()
        if changed and self.db.dialect == "postgres":
            # While a view is rebuilt its statistics describe it empty (or full), and
            # the planner answers "these cases" with a scan of the whole table, batch
            # after batch. A case has a handful of rows in each table: use the index.
            self.db.run(self._cursor, "SET LOCAL enable_seqscan = off")
        cards: dict[str, Card] = {}
        for start in range(0, len(changed), CHUNK):
            chunk = changed[start : start + CHUNK]
            self.write("DELETE FROM {p}caseload_members WHERE case_id IN"
                       f" ({', '.join(['%s'] * len(chunk))})", chunk)  # fmt: skip
            facts = reader.facts(chunk)
            cards |= {case_id: card_of(f) for case_id, f in facts.items()}
            rows = [row for f in facts.values() for row in member_rows(f)]
            if rows:
                self.write(INSERT_MEMBERS[self.db.dialect], (json.dumps(rows),))
        return cards

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """A read transaction whose statements all see one snapshot, so the statements
        of one page agree (SQLite's read transactions always do)."""
        with self.db.transaction(commit=False) as cursor:
            if self.db.dialect == "postgres":
                self.db.run(cursor, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield Reader(self.db, cursor)

    def load_keys(self, reader: Reader, case_ids: Iterable[str]) -> None:
        """Fetch the case keys that `open` will need through the reader's transaction,
        instead of one transaction of its own per case."""
        if self.sealer is not None:
            self.sealer.keys.prefetch([UUID(c) for c in case_ids], reader.cursor)

    def seal(self, case_id: str, text: str | None, label: str) -> str | None:
        if self.sealer is None:
            return text
        return self.sealer.seal(UUID(case_id), text, label, self._cursor)

    def open(self, case_id: str, stored: str | None, label: str) -> str | None:
        return self.sealer.open(UUID(case_id), stored, label) if self.sealer else stored

    @_changes_case
    def case_opened(
        self, case_id: str, municipality: str, lead: str, display_name: str | None, at: datetime
    ) -> None:
        self.write(
            "INSERT INTO {p}caseload_cases VALUES (%s, %s, %s, %s, %s, %s, %s, 0, NULL)",
            (
                case_id,
                municipality,
                lead,
                lead,
                self.seal(case_id, display_name, "name"),
                stamp(at),
                stamp(at),
            ),
        )

    def touched(self, case_id: str, at: datetime) -> None:
        self._touched[case_id] = stamp(at)  # events come in order: the last one counts

    @_changes_case
    def lead_changed(self, case_id: str, lead: str) -> None:
        self.write("UPDATE {p}caseload_cases SET lead_agency = %s WHERE case_id = %s",
                   (lead, case_id))  # fmt: skip

    @_changes_case
    def closed(self, case_id: str) -> None:
        self.write("UPDATE {p}caseload_cases SET closed = 1 WHERE case_id = %s", (case_id,))

    @_changes_case
    def consent_granted(
        self, case_id: str, consent_id: str, recipients: list[str], categories: list[str],
        starts_at: datetime, expires_at: datetime | None,
    ) -> None:  # fmt: skip
        expires = stamp(expires_at) if expires_at else None
        for recipient in recipients:
            self.write(
                "INSERT INTO {p}caseload_consents VALUES (%s, %s, %s, %s, %s, %s, NULL)",
                (case_id, consent_id, recipient, json.dumps(sorted(categories)),
                 stamp(starts_at), expires),
            )  # fmt: skip

    @_changes_case
    def consent_withdrawn(self, case_id: str, consent_id: str, at: datetime) -> None:
        self.write(
            "UPDATE {p}caseload_consents SET withdrawn_at = %s"
            " WHERE case_id = %s AND consent_id = %s",
            (stamp(at), case_id, consent_id),
        )

    @_changes_case
    def referral_sent(self, case_id: str, referral_id: str, sender: str, to: str) -> None:
        self.write("INSERT INTO {p}caseload_referrals VALUES (%s, %s, %s, %s, 'sent')",
                   (case_id, referral_id, sender, to))  # fmt: skip

    @_changes_case
    def referral_moved(self, case_id: str, referral_id: str, status: str) -> None:
        self.write(
            "UPDATE {p}caseload_referrals SET status = %s WHERE case_id = %s AND referral_id = %s",
            (status, case_id, referral_id),
        )

    @_changes_case
    def course_assigned(self, case_id: str, course_id: str, provider: str) -> None:
        self.write("INSERT INTO {p}caseload_courses VALUES (%s, %s, %s, 1)",
                   (case_id, course_id, provider))  # fmt: skip

    @_changes_case
    def course_completed(self, case_id: str, course_id: str) -> None:
        self.write(
            "UPDATE {p}caseload_courses SET active = 0 WHERE case_id = %s AND course_id = %s",
            (case_id, course_id),
        )

    @_changes_case
    def milestone_agreed(
        self, case_id: str, agreement_id: str, milestone_id: str, owner: str,
        concluded_by: str, title: str | None, due_on: date,
    ) -> None:  # fmt: skip
        self.write(
            "INSERT INTO {p}caseload_milestones VALUES (%s, %s, %s, %s, %s, %s, %s, 1)",
            (
                case_id,
                agreement_id,
                milestone_id,
                owner,
                concluded_by,
                self.seal(case_id, title, "milestone-title"),
                due_on.isoformat(),
            ),
        )

    @_changes_case
    def milestone_changed(
        self, case_id: str, agreement_id: str, milestone_id: str, *,
        due_on: date | None = None, met: bool = False,
    ) -> None:  # fmt: skip
        key = (case_id, agreement_id, milestone_id)
        where = " WHERE case_id = %s AND agreement_id = %s AND milestone_id = %s"
        if met:
            self.write("UPDATE {p}caseload_milestones SET open = 0" + where, key)
        if due_on is not None:
            self.write("UPDATE {p}caseload_milestones SET due_on = %s" + where,
                       (due_on.isoformat(), *key))  # fmt: skip
