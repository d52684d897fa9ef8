"""Caseload tables. Time-dependent facts (consent validity, overdue milestones)
are stored as instants and dates, and judged at query time."""

import json
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from coordination.store.database import Database, stamp
from coordination.store.keys import TextSealer
from projections.view import View

TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}caseload_cases (
        case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, lead_agency TEXT NOT NULL,
        opened_by TEXT NOT NULL, display_name TEXT, opened_at TEXT NOT NULL,
        last_event_at TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS caseload_cases_lead ON {p}caseload_cases (lead_agency)",
    """CREATE TABLE IF NOT EXISTS {p}caseload_consents (
        case_id TEXT NOT NULL, consent_id TEXT NOT NULL, recipient TEXT NOT NULL,
        categories TEXT NOT NULL, starts_at TEXT NOT NULL, expires_at TEXT,
        withdrawn_at TEXT, PRIMARY KEY (case_id, consent_id, recipient))""",
    "CREATE INDEX IF NOT EXISTS caseload_consents_recipient ON {p}caseload_consents (recipient)",
    """CREATE TABLE IF NOT EXISTS {p}caseload_referrals (
        case_id TEXT NOT NULL, referral_id TEXT NOT NULL, from_agency TEXT NOT NULL,
        to_agency TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (case_id, referral_id))""",
    "CREATE INDEX IF NOT EXISTS caseload_referrals_to ON {p}caseload_referrals (to_agency)",
    """CREATE TABLE IF NOT EXISTS {p}caseload_courses (
        case_id TEXT NOT NULL, course_id TEXT NOT NULL, provider TEXT NOT NULL,
        active INTEGER NOT NULL, PRIMARY KEY (case_id, course_id))""",
    "CREATE INDEX IF NOT EXISTS caseload_courses_provider ON {p}caseload_courses (provider)",
    """CREATE TABLE IF NOT EXISTS {p}caseload_milestones (
        case_id TEXT NOT NULL, agreement_id TEXT NOT NULL, milestone_id TEXT NOT NULL,
        responsible_agency TEXT NOT NULL, concluded_by TEXT NOT NULL, title TEXT,
        due_on TEXT NOT NULL, open INTEGER NOT NULL,
        PRIMARY KEY (case_id, agreement_id, milestone_id))""",
    """CREATE INDEX IF NOT EXISTS caseload_milestones_owner
        ON {p}caseload_milestones (responsible_agency)""",
]


class CaseloadView(View):
    """Names and milestone titles are sealed with their case's key, so they are never
    plaintext in the database and read as None once the case is erased. A view kept
    only in memory (a replay for an audit) may go without a sealer."""

    name: ClassVar[str] = "caseload"
    tables = TABLES
    table_names = ("caseload_milestones", "caseload_courses", "caseload_referrals",
                   "caseload_consents", "caseload_cases")  # fmt: skip

    def __init__(self, db: Database, sealer: TextSealer | None = None) -> None:
        super().__init__(db)
        self.sealer = sealer

    def seal(self, case_id: str, text: str | None, label: str) -> str | None:
        if self.sealer is None:
            return text
        return self.sealer.seal(UUID(case_id), text, label, self._cursor)

    def open(self, case_id: str, stored: str | None, label: str) -> str | None:
        return self.sealer.open(UUID(case_id), stored, label) if self.sealer else stored

    def case_opened(
        self, case_id: str, municipality: str, lead: str, display_name: str | None, at: datetime
    ) -> None:
        self.write(
            "INSERT INTO {p}caseload_cases VALUES (%s, %s, %s, %s, %s, %s, %s, 0)",
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
        self.write(
            "UPDATE {p}caseload_cases SET last_event_at = %s WHERE case_id = %s",
            (stamp(at), case_id),
        )

    def lead_changed(self, case_id: str, lead: str) -> None:
        self.write("UPDATE {p}caseload_cases SET lead_agency = %s WHERE case_id = %s",
                   (lead, case_id))  # fmt: skip

    def closed(self, case_id: str) -> None:
        self.write("UPDATE {p}caseload_cases SET closed = 1 WHERE case_id = %s", (case_id,))

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

    def consent_withdrawn(self, case_id: str, consent_id: str, at: datetime) -> None:
        self.write(
            "UPDATE {p}caseload_consents SET withdrawn_at = %s"
            " WHERE case_id = %s AND consent_id = %s",
            (stamp(at), case_id, consent_id),
        )

    def referral_sent(self, case_id: str, referral_id: str, sender: str, to: str) -> None:
        self.write("INSERT INTO {p}caseload_referrals VALUES (%s, %s, %s, %s, 'sent')",
                   (case_id, referral_id, sender, to))  # fmt: skip

    def referral_moved(self, case_id: str, referral_id: str, status: str) -> None:
        self.write(
            "UPDATE {p}caseload_referrals SET status = %s WHERE case_id = %s AND referral_id = %s",
            (status, case_id, referral_id),
        )

    def course_assigned(self, case_id: str, course_id: str, provider: str) -> None:
        self.write("INSERT INTO {p}caseload_courses VALUES (%s, %s, %s, 1)",
                   (case_id, course_id, provider))  # fmt: skip

    def course_completed(self, case_id: str, course_id: str) -> None:
        self.write(
            "UPDATE {p}caseload_courses SET active = 0 WHERE case_id = %s AND course_id = %s",
            (case_id, course_id),
        )

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
