"""Statistics tables: one fact row per counted event, and the few facts about
earlier events that later ones need (municipality, sending day, due dates).

Handlers never read: a fact that depends on an earlier event is written with
INSERT ... SELECT, so it sees rows written earlier in the same batch. The
tables hold case ids, agency-free measure names, months, results and day
counts: nothing that names or describes a person.
"""

from datetime import date
from typing import ClassVar

from projections.view import View

TABLES = [
    """CREATE TABLE IF NOT EXISTS {p}statistics_cases (
        case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {p}statistics_referrals (
        case_id TEXT NOT NULL, referral_id TEXT NOT NULL, sent_day INTEGER NOT NULL,
        PRIMARY KEY (case_id, referral_id))""",
    """CREATE TABLE IF NOT EXISTS {p}statistics_milestones (
        case_id TEXT NOT NULL, agreement_id TEXT NOT NULL, milestone_id TEXT NOT NULL,
        due_on TEXT NOT NULL, PRIMARY KEY (case_id, agreement_id, milestone_id))""",
    """CREATE TABLE IF NOT EXISTS {p}statistics_facts (
        case_id TEXT NOT NULL, version INTEGER NOT NULL, municipality TEXT NOT NULL,
        month TEXT NOT NULL, measure TEXT NOT NULL, detail TEXT, days INTEGER,
        PRIMARY KEY (case_id, version))""",
    """CREATE INDEX IF NOT EXISTS statistics_facts_cell
        ON {p}statistics_facts (municipality, month, measure)""",
]


def _fact(values: str, joins: str = "") -> str:
    """A fact for the case's municipality; a case the view does not know counts nowhere."""
    return (
        "INSERT INTO {p}statistics_facts"
        " (case_id, version, municipality, month, measure, detail, days)"
        " SELECT c.case_id, %(version)s, c.municipality, %(month)s, %(measure)s, "
        + values
        + " FROM {p}statistics_cases c"
        + joins
        + " WHERE c.case_id = %(case)s"
    )


_COUNTED = _fact("%(detail)s, NULL")
# Days to acceptance from day numbers: integer arithmetic, the same in both stores.
_ACCEPTED = _fact(
    "NULL, %(day)s - r.sent_day",
    " JOIN {p}statistics_referrals r ON r.case_id = c.case_id AND r.referral_id = %(referral)s",
)
# On time means met on or before the due date in force when it was met.
# ISO dates compare as text in both stores.
_MET = _fact(
    "CASE WHEN %(met_on)s <= m.due_on THEN 'on_time' ELSE 'late' END, NULL",
    " JOIN {p}statistics_milestones m ON m.case_id = c.case_id"
    " AND m.agreement_id = %(agreement)s AND m.milestone_id = %(milestone)s",
)


class StatisticsView(View):
    name: ClassVar[str] = "statistics"
    tables = TABLES
    table_names = ("statistics_facts", "statistics_milestones", "statistics_referrals",
                   "statistics_cases")  # fmt: skip

    def case_opened(self, case_id: str, municipality: str) -> None:
        self.write("INSERT INTO {p}statistics_cases VALUES (%s, %s)", (case_id, municipality))

    def counted(
        self, case_id: str, version: int, month: str, measure: str, detail: str | None = None
    ) -> None:
        """One occurrence of `measure` for the case's person in `month`."""
        self.write(
            _COUNTED,
            {"case": case_id, "version": version, "month": month, "measure": measure,
             "detail": detail},
        )  # fmt: skip

    def referral_sent(self, case_id: str, referral_id: str, sent_on: date) -> None:
        self.write("INSERT INTO {p}statistics_referrals VALUES (%s, %s, %s)",
                   (case_id, referral_id, sent_on.toordinal()))  # fmt: skip

    def referral_accepted(
        self, case_id: str, version: int, month: str, referral_id: str, accepted_on: date
    ) -> None:
        self.write(
            _ACCEPTED,
            {"case": case_id, "version": version, "month": month,
             "measure": "referrals_accepted", "referral": referral_id,
             "day": accepted_on.toordinal()},
        )  # fmt: skip

    def milestone_agreed(
        self, case_id: str, agreement_id: str, milestone_id: str, due_on: date
    ) -> None:
        self.write("INSERT INTO {p}statistics_milestones VALUES (%s, %s, %s, %s)",
                   (case_id, agreement_id, milestone_id, due_on.isoformat()))  # fmt: skip

    def milestone_rescheduled(
        self, case_id: str, agreement_id: str, milestone_id: str, due_on: date
    ) -> None:
        self.write(
            "UPDATE {p}statistics_milestones SET due_on = %s"
            " WHERE case_id = %s AND agreement_id = %s AND milestone_id = %s",
            (due_on.isoformat(), case_id, agreement_id, milestone_id),
        )

    def milestone_met(
        self, case_id: str, version: int, month: str, agreement_id: str, milestone_id: str,
        met_on: date,
    ) -> None:  # fmt: skip
        self.write(
            _MET,
            {"case": case_id, "version": version, "month": month, "measure": "milestones_met",
             "agreement": agreement_id, "milestone": milestone_id, "met_on": met_on.isoformat()},
        )  # fmt: skip
