"""The auditor's statistics as charts: which figures of the statistics report each
chart shows, with small cells suppressed exactly as the report suppresses them."""

import re
from collections.abc import Callable

from coordination.entrypoints.web.charts import Chart, bar_chart
from coordination.entrypoints.web.forms import N_
from coordination.entrypoints.web.labels import Labels
from coordination.services.statistics import StatisticsReport
from projections.statistics.query import BREAKDOWNS

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# (the chart's key, its title, the measure and its detail, what is counted)
PER_MONTH = (
    ("cases-opened", N_("Cases opened"), "cases_opened", None),
    ("referrals-sent", N_("Referrals sent"), "referrals_sent", None),
    ("referrals-accepted", N_("Referrals accepted"), "referrals_accepted", None),
    ("courses-assigned", N_("Courses assigned"), "courses_assigned", None),
    ("courses-completed", N_("Courses completed"), "courses_completed", None),
    ("agreements", N_("Agreements concluded"), "agreements_concluded", None),
    ("milestones-on-time", N_("Milestones met on time"), "milestones_met", "on_time"),
    ("milestones-late", N_("Milestones met late"), "milestones_met", "late"),
    ("obligations-person", N_("Obligations of the person met"), "obligations_met", "person"),
    ("obligations-agency", N_("Offers of the agencies met"), "obligations_met", "agency"),
    ("milestones-overdue", N_("Milestones overdue at the month's end"), "milestones_overdue", None),
)


def statistics_charts(report: StatisticsReport, gettext: Callable[[str], str]) -> list[Chart]:
    """A chart per measure over the months (people: distinct cases), and the median days
    from referral to acceptance."""
    charts = [
        bar_chart(
            key,
            gettext(title),
            gettext("people"),
            [(f.month, f.cells[(measure, detail)].people) for f in report.months],
        )
        for key, title, measure, detail in PER_MONTH
    ]
    charts += _parts(report, gettext, "referrals_sent", N_("Referrals sent for %(part)s"))
    charts += _parts(report, gettext, "courses_completed", N_("Courses completed with %(part)s"))
    days = [(f.month, f.median_days_to_acceptance.days) for f in report.months]
    title = gettext("Median days from referral to acceptance")
    charts.append(bar_chart("days-to-acceptance", title, gettext("days"), days))
    return charts


def _parts(
    report: StatisticsReport, gettext: Callable[[str], str], measure: str, title: str
) -> list[Chart]:
    """A chart per part of a breakdown (a purpose, a course result) that shows a figure in
    at least one month; a part suppressed in every month has nothing to draw."""
    labels = Labels(gettext)
    charts = []
    for part in BREAKDOWNS[measure]:
        figures = [(f.month, f.cells[(measure, part)].people) for f in report.months]
        if any(value is not None for _, value in figures):
            named = gettext(title) % {"part": labels.value(part)}
            charts.append(bar_chart(f"{measure}-{part}", named, gettext("people"), figures))
    return charts
