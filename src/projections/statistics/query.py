"""Reading the statistics: counts per cell in SQL, suppression and medians in Python
(SQLite has no median, and suppression is a rule worth reading in one place)."""

from collections import defaultdict
from dataclasses import dataclass

from consent import Purpose
from coordination.domain.values import Side
from projections.statistics.suppression import (
    Cell,
    Median,
    cell,
    median_days,
    protect_breakdown,
)
from projections.statistics.view import StatisticsView

MEASURES = (
    "cases_opened", "consents_granted", "consents_withdrawn", "referrals_sent",
    "referrals_accepted", "referrals_declined", "referrals_completed", "courses_assigned",
    "courses_completed", "agreements_concluded", "milestones_met", "obligations_met",
    "milestones_overdue",
)  # fmt: skip
# Measures broken down by a detail: the contract's course results, and whether a
# milestone was met by its due date. Each part is a cell of its own.
BREAKDOWNS = {
    "referrals_sent": tuple(p.value for p in Purpose),
    "courses_completed": ("A1", "A2", "B1", "B2", "C1", "C2", "below_A2", "passed", "failed"),
    "milestones_met": ("on_time", "late"),
    "obligations_met": tuple(side.value for side in Side),
}
BROKEN_DOWN_BY = {
    "referrals_sent": "purpose", "courses_completed": "result", "milestones_met": "timeliness",
    "obligations_met": "side",
}  # fmt: skip

_WHERE = " FROM {p}statistics_facts WHERE municipality = %(m)s AND month BETWEEN %(a)s AND %(b)s"
_TOTALS = ("SELECT month, measure, NULL AS detail, COUNT(DISTINCT case_id) AS people,"
           " COUNT(*) AS events" + _WHERE + " GROUP BY month, measure")  # fmt: skip
_PARTS = ("SELECT month, measure, detail, COUNT(DISTINCT case_id) AS people,"
          " COUNT(*) AS events" + _WHERE + " AND detail IS NOT NULL"
          " GROUP BY month, measure, detail")  # fmt: skip
_DAYS = "SELECT month, days" + _WHERE + " AND measure = 'referrals_accepted'"
# The milestones met again, as obligations of the person or of an agency ("Fordern und
# Fördern"), for the evaluation of the agreements.
_SIDES = ("SELECT month, 'obligations_met' AS measure, side AS detail,"
          " COUNT(DISTINCT case_id) AS people, COUNT(*) AS events" + _WHERE
          + " AND measure = 'milestones_met' GROUP BY month, side")  # fmt: skip
_SIDES_TOTAL = ("SELECT month, 'obligations_met' AS measure, NULL AS detail,"
                " COUNT(DISTINCT case_id) AS people, COUNT(*) AS events" + _WHERE
                + " AND measure = 'milestones_met' GROUP BY month")  # fmt: skip
# Milestones overdue at a month's end: a due date before the next month's first day, in
# force at the end of the month's last day (not met, moved or ended by the case by then).
# ISO dates compare as text in both stores.
_OVERDUE = (
    "SELECT COUNT(DISTINCT s.case_id) AS people, COUNT(*) AS events"
    " FROM {p}statistics_schedules s JOIN {p}statistics_cases c ON c.case_id = s.case_id"
    " WHERE c.municipality = %(m)s AND s.due_on < %(next)s AND s.from_day < %(next)s"
    " AND (s.to_day IS NULL OR s.to_day >= %(next)s)"
)

Key = tuple[str, str | None]  # (measure, detail)


@dataclass(frozen=True)
class MonthFigures:
    month: str
    cells: dict[Key, Cell]  # every measure's total, then its breakdown, in MEASURES order
    median_days_to_acceptance: Median


def month_number(month: str) -> int:
    """Months since year 0 of a YYYY-MM month, so ranges are arithmetic."""
    year, number = map(int, month.split("-"))
    return year * 12 + number - 1


def month_named(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def months(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included."""
    return [month_named(n) for n in range(month_number(first), month_number(last) + 1)]


def read_statistics(
    view: StatisticsView, municipality: str, first: str, last: str
) -> list[MonthFigures]:
    params = {"m": municipality, "a": first, "b": last}
    counts: dict[str, dict[Key, tuple[int, int]]] = defaultdict(dict)
    rows = [view.rows(q, params) for q in (_TOTALS, _PARTS, _SIDES, _SIDES_TOTAL)]
    for row in [r for some in rows for r in some]:
        counts[row["month"]][(row["measure"], row["detail"])] = (row["people"], row["events"])
    days: dict[str, list[int]] = defaultdict(list)
    for row in view.rows(_DAYS, params):
        days[row["month"]].append(int(row["days"]))
    for month in months(first, last):
        following = month_named(month_number(month) + 1) + "-01"
        row = view.rows(_OVERDUE, {"m": municipality, "next": following})[0]
        counts[month][("milestones_overdue", None)] = (row["people"], row["events"])
    return [_figures(m, counts[m], days[m]) for m in months(first, last)]


def _figures(month: str, counts: dict[Key, tuple[int, int]], days: list[int]) -> MonthFigures:
    cells: dict[Key, Cell] = {}
    for measure in MEASURES:
        total = _cell(counts, measure, None)
        cells[(measure, None)] = total
        parts = [_cell(counts, measure, d) for d in BREAKDOWNS.get(measure, ())]
        cells.update({(p.measure, p.detail): p for p in protect_breakdown(total, parts)})
    accepted = cells[("referrals_accepted", None)]
    return MonthFigures(month, cells, median_days(accepted, days))


def _cell(counts: dict[Key, tuple[int, int]], measure: str, detail: str | None) -> Cell:
    people, events = counts.get((measure, detail), (0, 0))
    return cell(measure, detail, int(people), int(events))
