"""Statistics tables: one fact row per counted event, the few facts about
earlier events that later ones need (municipality, sending day, due dates), and
each open milestone's due dates with the days they were in force, from which the
milestones overdue at a month's end are counted.

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
    # `open`: not met yet, so its due date comes back into force when its case is reopened.
    """CREATE TABLE IF NOT EXISTS {p}statistics_milestones (
        case_id TEXT NOT NULL, agreement_id TEXT NOT NULL, milestone_id TEXT NOT NULL,
        due_on TEXT NOT NULL, open INTEGER NOT NULL DEFAULT 1,
        side TEXT NOT NULL DEFAULT 'agency',
        PRIMARY KEY (case_id, agreement_id, milestone_id))""",
    # A due date in force from one Berlin day until another (exclusive; NULL: still in
    # force), ended by a new due date, by the milestone being met, or by the case's end.
    """CREATE TABLE IF NOT EXISTS {p}statistics_schedules (
        case_id TEXT NOT NULL, agreement_id TEXT NOT NULL, milestone_id TEXT NOT NULL,
        version INTEGER NOT NULL, due_on TEXT NOT NULL, from_day TEXT NOT NULL, to_day TEXT,
        PRIMARY KEY (case_id, agreement_id, milestone_id, version))""",
    """CREATE TABLE IF NOT EXISTS {p}statistics_facts (
        case_id TEXT NOT NULL, version INTEGER NOT NULL, municipality TEXT NOT NULL,
        month TEXT NOT NULL, measure TEXT NOT NULL, detail TEXT, days INTEGER, side TEXT,
        PRIMARY KEY (case_id, version))""",
    """CREATE INDEX IF NOT EXISTS statistics_facts_cell
        ON {p}statistics_facts (municipality, month, measure)""",
]


def _fact(values: str, joins: str = "") -> str:
    """A fact for the case's municipality; a case the view does not know counts nowhere.
    `values`: its detail, its days and the side whose obligation it met."""
    return (
        "INSERT INTO {p}statistics_facts"
        " (case_id, version, municipality, month, measure, detail, days, side)"
        " SELECT c.case_id, %(version)s, c.municipality, %(month)s, %(measure)s, "
        + values
        + " FROM {p}statistics_cases c"
        + joins
        + " WHERE c.case_id = %(case)s"
    )


_COUNTED = _fact("%(detail)s, NULL, NULL")
# Days to acceptance from day numbers: integer arithmetic, the same in both stores.
_ACCEPTED = _fact(
    "NULL, %(day)s - r.sent_day, NULL",
    " JOIN {p}statistics_referrals r ON r.case_id = c.case_id AND r.referral_id = %(referral)s",
)
# On time means met on or before the due date in force when it was met.
# ISO dates compare as text in both stores.
_MET = _fact(
    "CASE WHEN %(met_on)s <= m.due_on THEN 'on_time' ELSE 'late' END, NULL, m.side",
    " JOIN {p}statistics_milestones m ON m.case_id = c.case_id"
    " AND m.agreement_id = %(agreement)s AND m.milestone_id = %(milestone)s",
)


_SCHEDULED = "INSERT INTO {p}statistics_schedules VALUES (%s, %s, %s, %s, %s, %s, NULL)"
# A reopened case's open milestones: each due date in force again from the reopening day.
_RESUMED = (
    "INSERT INTO {p}statistics_schedules SELECT case_id, agreement_id, milestone_id,"
    " %(version)s, due_on, %(day)s, NULL FROM {p}statistics_milestones"
    " WHERE case_id = %(case)s AND open = 1"
)
_HAS_SIDE = {
    "postgres": "SELECT 1 FROM information_schema.columns WHERE table_schema || '.' = %s"
    " AND table_name = 'statistics_facts' AND column_name = 'side'",
    "sqlite": "SELECT 1 FROM pragma_table_info('statistics_facts') WHERE name = 'side'",
}
_ADD_SIDE = (
    "ALTER TABLE {p}statistics_facts ADD COLUMN side TEXT",
    "ALTER TABLE {p}statistics_milestones ADD COLUMN side TEXT NOT NULL DEFAULT 'agency'",
)
_HAS_OPEN = {
    "postgres": "SELECT 1 FROM information_schema.columns WHERE table_schema || '.' = %s"
    " AND table_name = 'statistics_milestones' AND column_name = 'open'",
    "sqlite": "SELECT 1 FROM pragma_table_info('statistics_milestones') WHERE name = 'open'",
}
# Of a case, an agreement or a milestone: its schedules in force end on `day`.
_ENDED = (
    "UPDATE {p}statistics_schedules SET to_day = %(day)s WHERE case_id = %(case)s"
    " AND to_day IS NULL AND (CAST(%(agreement)s AS TEXT) IS NULL"
    " OR (agreement_id = %(agreement)s AND (CAST(%(milestone)s AS TEXT) IS NULL"
    " OR milestone_id = %(milestone)s)))"
)
_DONE = (
    "UPDATE {p}statistics_milestones SET open = 0 WHERE case_id = %(case)s"
    " AND agreement_id = %(agreement)s"
    " AND (CAST(%(milestone)s AS TEXT) IS NULL OR milestone_id = %(milestone)s)"
)


class StatisticsView(View):
    name: ClassVar[str] = "statistics"
    tables = TABLES
    table_names = ("statistics_facts", "statistics_schedules", "statistics_milestones",
                   "statistics_referrals", "statistics_cases")  # fmt: skip

    def create_tables(self) -> None:
        super().create_tables()
        # Each runs: each brings its own columns up to date.
        outdated = [self._predates_open_milestones(), self._predates_sides()]
        if any(outdated) or self._predates_schedules():
            self.clear()

    def _predates_open_milestones(self) -> bool:
        """A view written before it told met milestones from open ones gains the column,
        and is emptied, so the runner rebuilds it with every milestone met marked."""
        schema = (self.db.prefix,) if self.db.dialect == "postgres" else ()
        if self.db.fetch_one(_HAS_OPEN[self.db.dialect], schema) is not None:
            return False
        with self.db.transaction() as cursor:
            self.db.run(cursor, "ALTER TABLE {p}statistics_milestones"
                                " ADD COLUMN open INTEGER NOT NULL DEFAULT 1")  # fmt: skip
        return True

    def _predates_sides(self) -> bool:
        """A view written before it knew whose obligation a milestone is gains the
        columns, and is emptied, so the runner rebuilds it with every side known."""
        schema = (self.db.prefix,) if self.db.dialect == "postgres" else ()
        if self.db.fetch_one(_HAS_SIDE[self.db.dialect], schema) is not None:
            return False
        with self.db.transaction() as cursor:
            for statement in _ADD_SIDE:
                self.db.run(cursor, statement)
        return True

    def _predates_schedules(self) -> bool:
        """A view written before due dates were kept with their days has milestones and
        no schedules (every milestone agreed has one). It is emptied, so the runner
        rebuilds it from zero, as `coordination projections rebuild` would."""
        row = self.db.fetch_one(
            "SELECT EXISTS (SELECT 1 FROM {p}statistics_milestones) AS milestones,"
            " EXISTS (SELECT 1 FROM {p}statistics_schedules) AS schedules"
        )
        return row is not None and bool(row["milestones"]) and not row["schedules"]

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
        self, case_id: str, version: int, day: date, agreement_id: str, milestone_id: str,
        due_on: date, side: str,
    ) -> None:  # fmt: skip
        # Columns named: a view brought up to date has them in the order they were added.
        self.write("INSERT INTO {p}statistics_milestones (case_id, agreement_id, milestone_id,"
                   " due_on, open, side) VALUES (%s, %s, %s, %s, 1, %s)",
                   (case_id, agreement_id, milestone_id, due_on.isoformat(), side))  # fmt: skip
        self.write(_SCHEDULED, (case_id, agreement_id, milestone_id, version,
                                due_on.isoformat(), day.isoformat()))  # fmt: skip

    def milestone_rescheduled(
        self, case_id: str, version: int, day: date, agreement_id: str, milestone_id: str,
        due_on: date,
    ) -> None:  # fmt: skip
        self.write(
            "UPDATE {p}statistics_milestones SET due_on = %s"
            " WHERE case_id = %s AND agreement_id = %s AND milestone_id = %s",
            (due_on.isoformat(), case_id, agreement_id, milestone_id),
        )
        self._end_schedules(case_id, day, agreement_id, milestone_id)
        self.write(_SCHEDULED, (case_id, agreement_id, milestone_id, version,
                                due_on.isoformat(), day.isoformat()))  # fmt: skip

    def case_ended(self, case_id: str, day: date) -> None:
        """Closed or erased: none of its milestones is overdue from that day on."""
        self._end_schedules(case_id, day)

    def case_reopened(self, case_id: str, version: int, day: date) -> None:
        """Its open milestones can be overdue again from that day on."""
        self.write(_RESUMED, {"case": case_id, "version": version, "day": day.isoformat()})

    def milestones_done(
        self, case_id: str, day: date, agreement_id: str, milestone_id: str | None = None
    ) -> None:
        """Cancelled, or open when their agreement ended: never overdue from that day
        on, and not again when the case is reopened."""
        self._end_schedules(case_id, day, agreement_id, milestone_id)
        self.write(_DONE, {"case": case_id, "agreement": agreement_id, "milestone": milestone_id})

    def _end_schedules(
        self, case_id: str, day: date, agreement_id: str | None = None,
        milestone_id: str | None = None,
    ) -> None:  # fmt: skip
        self.write(_ENDED, {"case": case_id, "day": day.isoformat(), "agreement": agreement_id,
                            "milestone": milestone_id})  # fmt: skip

    def milestone_met(
        self, case_id: str, version: int, month: str, day: date, agreement_id: str,
        milestone_id: str, met_on: date,
    ) -> None:  # fmt: skip
        self._end_schedules(case_id, day, agreement_id, milestone_id)
        self.write(
            "UPDATE {p}statistics_milestones SET open = 0"
            " WHERE case_id = %s AND agreement_id = %s AND milestone_id = %s",
            (case_id, agreement_id, milestone_id),
        )
        self.write(
            _MET,
            {"case": case_id, "version": version, "month": month, "measure": "milestones_met",
             "agreement": agreement_id, "milestone": milestone_id, "met_on": met_on.isoformat()},
        )  # fmt: skip
