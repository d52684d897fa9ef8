"""Caseload tables. Time-dependent facts (consent validity, overdue milestones)
are stored as instants and dates, and judged at query time.

The per-case tables hold the facts; `caseload_members` holds, per (agency, case),
what a page is ordered and filtered by (`members.py`), and each case's card, on its
`caseload_cases` row, all its facts for a page to read (`cards.py`). A batch's
handlers queue changes (`changes.py`); its end applies them to the cards of the cases
they touched and writes all three from the result, in the batch's transaction.
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from eventsourcing.persistence import Tracking

from coordination.adapters.store.database import Cursor, Database
from coordination.adapters.store.keys import TextSealer
from coordination.adapters.timestamps import stamp
from projections.caseload import changes
from projections.caseload.cards import card_of
from projections.caseload.changes import Change, in_order
from projections.caseload.members import CaseFacts, Row, member_rows
from projections.caseload.reader import CHUNK, Reader
from projections.caseload.writing import DELETE, FACT_TABLES, INSERT, MEMBERS, UPSERT_CASES
from projections.view import View

TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}caseload_cases (
        case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, lead_agency TEXT NOT NULL,
        opened_by TEXT NOT NULL, given_name TEXT, family_name TEXT, opened_at TEXT NOT NULL,
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
        due_on TEXT NOT NULL, open INTEGER NOT NULL, side TEXT NOT NULL DEFAULT 'agency',
        PRIMARY KEY (case_id, agreement_id, milestone_id))""",
    # A running agreement's next review, by the agency that concluded it.
    """CREATE TABLE IF NOT EXISTS {p}caseload_reviews (
        case_id TEXT NOT NULL, agreement_id TEXT NOT NULL, concluded_by TEXT NOT NULL,
        review_on TEXT NOT NULL, PRIMARY KEY (case_id, agreement_id))""",
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
    # The register of a municipality's cases, open and closed, in order of opening.
    """CREATE INDEX IF NOT EXISTS caseload_cases_register ON {p}caseload_cases (
        municipality, opened_at, case_id)""",
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
# Columns of `caseload_cases` a view written before lacks: its cards (ADR 0031), and the
# name in its two parts, each sealed by the part of the agency that recorded it, so that
# a correction replaces one (they replace the display name, sealed whole).
ADDED = {
    "card": "ALTER TABLE {p}caseload_cases ADD COLUMN card TEXT",
    "given_name": "ALTER TABLE {p}caseload_cases ADD COLUMN given_name TEXT",
    "family_name": "ALTER TABLE {p}caseload_cases ADD COLUMN family_name TEXT",
}
REPLACED = {"display_name": "ALTER TABLE {p}caseload_cases DROP COLUMN display_name"}
COLUMNS = {
    "postgres": "SELECT column_name AS name FROM information_schema.columns"
    " WHERE table_schema || '.' = %s AND table_name = 'caseload_cases'",
    "sqlite": "SELECT name FROM pragma_table_info('caseload_cases')",
}
# Whether the milestones know their obligation's side; a view written before does not,
# and its cards lack it and the reviews (ADR 0064).
_SIDES = {
    "postgres": "SELECT 1 FROM information_schema.columns WHERE table_schema || '.' = %s"
    " AND table_name = 'caseload_milestones' AND column_name = 'side'",
    "sqlite": "SELECT 1 FROM pragma_table_info('caseload_milestones') WHERE name = 'side'",
}
_ADD_SIDES = "ALTER TABLE {p}caseload_milestones ADD COLUMN side TEXT NOT NULL DEFAULT 'agency'"


# A person's name as the caseload keeps it: (given name, family name), each None where
# unknown, or where a correction leaves it as it was.
Name = tuple[str | None, str | None]
# Each part's column, and the label its sealed text is bound to.
NAME_PARTS = {"given_name": "given-name", "family_name": "family-name"}

_RELATED = {
    "postgres": "SELECT case_id FROM {p}caseload_members WHERE agency = %s"
    " AND case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id FROM {p}caseload_members WHERE agency = %s"
    " AND case_id IN (SELECT value FROM json_each(%s))",
}


class CaseloadView(View):
    """Names and milestone titles are sealed with their case's key, so they are never
    plaintext in the database and read as None once the case is erased. A view kept
    only in memory (a replay for an audit) may go without a sealer.

    Handlers change nothing in the database: each queues its change of a case's facts,
    and the batch's end applies them and writes every touched case back (ADR 0032)."""

    name: ClassVar[str] = "caseload"
    tables = TABLES
    table_names = ("caseload_members", "caseload_reviews", "caseload_milestones",
                   "caseload_courses", "caseload_referrals", "caseload_consents",
                   "caseload_cases")  # fmt: skip

    def __init__(self, db: Database, sealer: TextSealer | None = None) -> None:
        super().__init__(db)
        self.sealer = sealer
        self._opened: dict[str, CaseFacts] = {}  # cases the current batch opened
        self._changes: dict[str, list[Change]] = {}  # per case, in event order
        self._touched: dict[str, str] = {}  # case -> its latest event's instant, this batch

    def create_tables(self) -> None:
        super().create_tables()
        with self.db.transaction() as cursor:
            for statement in RETIRED:
                self.db.run(cursor, statement)
            # Both run: each brings its own columns up to date.
            current = [self._brought_up_to_date(cursor), self._knows_sides(cursor)]
        if not all(current) or self._predates_members():
            self.clear()

    def _brought_up_to_date(self, cursor: Cursor) -> bool:
        """Whether the view already had the columns of `ADDED`. One written before gains
        them (and loses those they replace), and is emptied above so that the runner
        rebuilds it, every case with them."""
        schema = (self.db.prefix,) if self.db.dialect == "postgres" else ()
        self.db.run(cursor, COLUMNS[self.db.dialect], schema)
        present = {row["name"] for row in cursor.fetchall()}
        missing = [c for c in ADDED if c not in present]
        for column in missing:
            self.db.run(cursor, ADDED[column])
        for column in sorted(set(REPLACED) & present):
            self.db.run(cursor, REPLACED[column])
        return not missing

    def _knows_sides(self, cursor: Cursor) -> bool:
        """Whether the view knows each obligation's side. One written before gains the
        column and is emptied above, so that the runner rebuilds every card with it."""
        schema = (self.db.prefix,) if self.db.dialect == "postgres" else ()
        self.db.run(cursor, _SIDES[self.db.dialect], schema)
        if cursor.fetchone() is not None:
            return True
        self.db.run(cursor, _ADD_SIDES)
        return False

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
        self._opened, self._changes, self._touched = {}, {}, {}
        with super().batch(last):
            yield

    def finish_batch(self) -> None:
        """Every case the batch touched: its facts read from its card, the batch's
        changes applied, and its rows, member rows and card written back."""
        assert self._cursor is not None
        # Read through the batch's cursor: a second connection inside a write
        # transaction can stall behind a waiting writer on SQLite.
        reader = Reader(self.db, self._cursor)
        cases = sorted(self._opened.keys() | self._changes.keys() | self._touched.keys())
        if cases and self.db.dialect == "postgres":
            # While a view is rebuilt its statistics describe it empty (or full), and
            # the planner answers "these cases" with a scan of the whole table, batch
            # after batch. A case has a handful of rows in each table: use the index.
            self.db.run(self._cursor, "SET LOCAL enable_seqscan = off")
        for start in range(0, len(cases), CHUNK):
            chunk = cases[start : start + CHUNK]
            stored = reader.cards([c for c in chunk if c not in self._opened])
            facts = stored | {c: self._opened[c] for c in chunk if c in self._opened}
            for case_id, f in facts.items():
                self._apply(case_id, f)
            self._write(list(stored), facts)

    def _apply(self, case_id: str, facts: CaseFacts) -> None:
        for change in self._changes.get(case_id, ()):
            change(facts)
        if case_id in self._touched:
            facts.case["last_event_at"] = self._touched[case_id]
        in_order(facts)

    def _write(self, stored: list[str], facts: dict[str, CaseFacts]) -> None:
        """The cases' rows replace what the tables held of them: one statement a table."""
        dialect = self.db.dialect
        if stored:
            for table in DELETE:
                self.write(f"{DELETE[table]} ({', '.join(['%s'] * len(stored))})", stored)
        for part, table in FACT_TABLES.items():
            if rows := [row for f in facts.values() for row in getattr(f, part)]:
                self.write(INSERT[dialect, table], (json.dumps(rows),))
        if members := [row for f in facts.values() for row in member_rows(f)]:
            self.write(INSERT[dialect, MEMBERS], (json.dumps(members),))
        if facts:
            rows = [f.case | {"card": json.dumps(card_of(f))} for f in facts.values()]
            self.write(UPSERT_CASES[dialect], (json.dumps(rows),))

    def _change(self, case_id: str, change: Change) -> None:
        self._changes.setdefault(case_id, []).append(change)

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

    def seal(self, case_id: str, text: str | None, label: str, by: str) -> str | None:
        """Sealed under the key of the recording agency's part, erased with it."""
        if self.sealer is None:
            return text
        return self.sealer.seal(UUID(case_id), text, label, self._cursor, by)

    def open(self, case_id: str, stored: str | None, label: str) -> str | None:
        return self.sealer.open(UUID(case_id), stored, label) if self.sealer else stored

    def case_opened(
        self, case_id: str, municipality: str, lead: str, name: Name, at: datetime
    ) -> None:
        sealed = self._sealed(case_id, name, lead)
        self._opened[case_id] = changes.opened(case_id, municipality, lead, sealed, stamp(at))
        self._changes.pop(case_id, None)  # nothing comes before a case's opening

    def renamed(self, case_id: str, name: Name, by: str) -> None:
        """The parts of the name a correction gives (None: not corrected) replace those
        held, each sealed under the correcting agency's part."""
        sealed = self._sealed(case_id, name, by)
        given = {column: text for column, text in zip(NAME_PARTS, sealed, strict=True) if text}
        if given:
            self._change(case_id, changes.update_case(**given))

    def _sealed(self, case_id: str, name: Name, by: str) -> Name:
        (given, family), (given_label, family_label) = name, NAME_PARTS.values()
        return (self.seal(case_id, given, given_label, by),
                self.seal(case_id, family, family_label, by))  # fmt: skip

    def display_name(self, case_id: str, case: Row) -> str | None:
        """The name as a caseload shows it: its parts that still open, given name first."""
        parts = [self.open(case_id, case[column], label) for column, label in NAME_PARTS.items()]
        return " ".join(p for p in parts if p) or None

    def touched(self, case_id: str, at: datetime) -> None:
        self._touched[case_id] = stamp(at)  # events come in order: the last one counts

    def lead_changed(self, case_id: str, lead: str) -> None:
        self._change(case_id, changes.update_case(lead_agency=lead))

    def closed(self, case_id: str) -> None:
        self._change(case_id, changes.update_case(closed=1))

    def reopened(self, case_id: str) -> None:
        self._change(case_id, changes.update_case(closed=0))

    def consent_granted(
        self, case_id: str, consent_id: str, recipients: list[str], categories: list[str],
        starts_at: datetime, expires_at: datetime | None,
    ) -> None:  # fmt: skip
        expires = stamp(expires_at) if expires_at else None
        common = {"consent_id": consent_id, "categories": json.dumps(sorted(categories)),
                  "starts_at": stamp(starts_at), "expires_at": expires,
                  "withdrawn_at": None}  # fmt: skip
        for recipient in recipients:
            self._change(case_id, changes.add("consents", {**common, "recipient": recipient}))

    def consent_withdrawn(self, case_id: str, consent_id: str, at: datetime) -> None:
        match = {"consent_id": consent_id}
        self._change(case_id, changes.update("consents", match, withdrawn_at=stamp(at)))

    def referral_sent(self, case_id: str, referral_id: str, sender: str, to: str) -> None:
        row = {"referral_id": referral_id, "from_agency": sender, "to_agency": to,
               "status": "sent"}  # fmt: skip
        self._change(case_id, changes.add("referrals", row))

    def referral_moved(self, case_id: str, referral_id: str, status: str) -> None:
        match = {"referral_id": referral_id}
        self._change(case_id, changes.update("referrals", match, status=status))

    def course_assigned(self, case_id: str, course_id: str, provider: str) -> None:
        row = {"course_id": course_id, "provider": provider, "active": 1}
        self._change(case_id, changes.add("courses", row))

    def course_completed(self, case_id: str, course_id: str) -> None:
        self._change(case_id, changes.update("courses", {"course_id": course_id}, active=0))

    def milestone_agreed(
        self, case_id: str, agreement_id: str, milestone_id: str, owner: str,
        concluded_by: str, title: str | None, due_on: date, side: str,
    ) -> None:  # fmt: skip
        """`owner`: the responsible agency; `side`: whose obligation it is."""
        row = {"agreement_id": agreement_id, "milestone_id": milestone_id,
               "responsible_agency": owner, "concluded_by": concluded_by,
               "title": self.seal(case_id, title, "milestone-title", concluded_by),
               "due_on": due_on.isoformat(), "open": 1, "side": side}  # fmt: skip
        self._change(case_id, changes.add("milestones", row))

    def milestone_changed(
        self, case_id: str, agreement_id: str, milestone_id: str, *,
        due_on: date | None = None, met: bool = False,
    ) -> None:  # fmt: skip
        match = {"agreement_id": agreement_id, "milestone_id": milestone_id}
        if met:
            self._change(case_id, changes.update("milestones", match, open=0))
        if due_on is not None:
            self._change(case_id, changes.update("milestones", match, due_on=due_on.isoformat()))

    def review_set(self, case_id: str, agreement_id: str, review_on: date | None) -> None:
        """The agreement's next review, by the agency that concluded it; None: none."""
        match = {"agreement_id": agreement_id}
        self._change(case_id, changes.remove("reviews", match))
        if review_on is not None:
            self._change(case_id, changes.reviewed(agreement_id, review_on.isoformat()))

    def agreement_ended(self, case_id: str, agreement_id: str) -> None:
        """Its milestones still open are done with: none is overdue any more, and it is
        never reviewed again."""
        match = {"agreement_id": agreement_id}
        self._change(case_id, changes.update("milestones", match, open=0))
        self._change(case_id, changes.remove("reviews", match))

    def related(self, agency: str, case_ids: list[str]) -> list[str]:
        """Of these cases, those the agency is a member of (any part, any consent)."""
        if not case_ids:
            return []
        rows = self.rows(_RELATED[self.db.dialect], (agency, json.dumps(case_ids)))
        return [r["case_id"] for r in rows]
