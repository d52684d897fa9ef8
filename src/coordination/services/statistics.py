"""Evaluation statistics for auditors: their own municipality only, read after
their writes if they ask, and every read in the access log.

The figures are aggregates with small cells suppressed (ADR 0013), yet an
auditor reading them is still a processing of case data, so it is logged.
"""

import csv
import io
from dataclasses import dataclass

from consent.record import LOCAL_TIME
from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.application.app import CoordinationApplication
from coordination.application.errors import Forbidden
from coordination.domain.identity import Caller
from coordination.services.read_your_writes import wait_until_taken_in
from projections.statistics.query import MonthFigures, month_named, month_number, read_statistics
from projections.statistics.view import StatisticsView

DEFAULT_MONTHS = 12
MAX_MONTHS = 120  # ten years: enough for any evaluation, bounded for one response


class BadMonthRange(ValueError):
    """`from` and `to` do not make a range of months this service answers."""


@dataclass(frozen=True)
class StatisticsRequest:
    municipality: str | None = None
    first: str | None = None  # YYYY-MM, already well-formed
    last: str | None = None
    min_position: int | None = None


@dataclass(frozen=True)
class StatisticsReport:
    municipality: str
    first: str
    last: str
    months: list[MonthFigures]
    position: int


class StatisticsService:
    def __init__(
        self, app: CoordinationApplication, view: StatisticsView, access_log: AccessLog,
        wait_seconds: float,
    ) -> None:  # fmt: skip
        self.app, self.view, self.access_log = app, view, access_log
        self.wait_seconds = wait_seconds

    def read(self, caller: Caller, r: StatisticsRequest) -> StatisticsReport:
        municipality = self._whose(caller, r.municipality)
        first, last = self._range(r.first, r.last)
        wait_until_taken_in(self.app, self.view, r.min_position, self.wait_seconds)
        position = self.view.position(self.app.name)
        figures = read_statistics(self.view, municipality, first, last)
        self._log(caller)
        return StatisticsReport(municipality, first, last, figures, position)

    def _whose(self, caller: Caller, asked: str | None) -> str:
        own = caller.principal.agency.municipality
        if asked not in (None, own):
            raise Forbidden("an auditor reads the statistics of its own municipality")
        return own

    def _range(self, first: str | None, last: str | None) -> tuple[str, str]:
        """Defaults: up to the current month (Berlin time), twelve months long."""
        last = last or self.app.clock().astimezone(LOCAL_TIME).strftime("%Y-%m")
        # Not before 0000-01: a month before year 0 has no YYYY-MM name.
        first = first or month_named(max(0, month_number(last) + 1 - DEFAULT_MONTHS))
        if first > last:
            raise BadMonthRange("`from` is after `to`")
        if month_number(last) - month_number(first) + 1 > MAX_MONTHS:
            raise BadMonthRange(f"the range is longer than {MAX_MONTHS} months")
        return first, last

    def _log(self, caller: Caller) -> None:
        entry = AccessEntry.of(
            caller, self.app.clock(), None, "read", basis={"role": "auditor"},
            reason="statistics",
        )  # fmt: skip
        self.access_log.write(entry)


CSV_COLUMNS = ("municipality", "month", "measure", "detail", "statistic", "value", "suppressed")


def statistics_csv(report: StatisticsReport) -> str:
    """Long format, one figure per row; a suppressed figure has an empty value."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(CSV_COLUMNS)
    for f in report.months:
        start = (report.municipality, f.month)
        for c in f.cells.values():
            out.writerow((*start, c.measure, c.detail or "", "people", _text(c.people),
                          _flag(c.suppressed)))  # fmt: skip
            out.writerow((*start, c.measure, c.detail or "", "events", _text(c.events),
                          _flag(c.suppressed)))  # fmt: skip
        median = f.median_days_to_acceptance
        out.writerow((*start, "referrals_accepted", "", "median_days", _text(median.days),
                      _flag(median.suppressed)))  # fmt: skip
    return buffer.getvalue()


def _text(value: float | None) -> str:
    return "" if value is None else str(value)


def _flag(suppressed: bool) -> str:
    return "true" if suppressed else "false"
