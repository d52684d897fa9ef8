"""The access log as a DPO searches it: the entries of their controller's agencies, by
action, agency, person (staff account), case and period, newest first, a page at a
time or as CSV. Entries hold ids, categories and reasons, never personal data."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from consent.record import end_of_validity, start_of_day
from coordination.adapters.store.access_log import AccessEntry, LogFilter

ACTIONS = ("read", "withheld", "refused", "search", "duplicate-check", "erased", "imported",
           "token-issued", "token-revoked", "webhook-added", "webhook-retired")  # fmt: skip
CSV_COLUMNS = ["at", "agency", "user", "role", "credential", "action", "case_id",
               "categories", "basis", "reason", "purpose", "request_id"]  # fmt: skip


@dataclass(frozen=True)
class LogSearch:
    """Days are German calendar days, both inclusive."""

    action: str | None = None
    agency: str | None = None
    user: str | None = None
    case_id: str | None = None
    since: date | None = None
    until: date | None = None

    def within(self, agencies: frozenset[str]) -> LogFilter:
        """The filter, bounded to these agencies: an agency outside them finds nothing."""
        scope = sorted(agencies if self.agency is None else agencies & {self.agency})
        return LogFilter(
            tuple(scope), self.action, self.user, self.case_id,
            start_of_day(self.since) if self.since else None,
            end_of_validity(self.until) if self.until else None,
        )  # fmt: skip


@dataclass(frozen=True)
class LogPage:
    entries: list[AccessEntry]
    below: int | None  # where the next page starts: below this entry id


def entries_csv(entries: list[AccessEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([
            e.at.isoformat(), e.agency_id, e.user, e.role, e.token_label, e.action,
            e.case_id or "", " ".join(e.categories), json.dumps(e.basis, sort_keys=True),
            e.reason or "", e.purpose or "", e.request_id,
        ])  # fmt: skip
    return out.getvalue()
