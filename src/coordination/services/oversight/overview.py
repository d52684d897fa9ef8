"""The DPO overview of one controller's processing: refusals per agency over a period,
consents expiring in the next 30 days, withdrawals and erasures in the period, and
every emergency access opened in the period or open now, with its justification and
the reads under it: the DPO's alert.

Pure: it folds the consent, erasure and emergency events (read from the event store by
the service) that concern the controller's agencies, and the access log of the period.
Metadata only, but for an emergency access's justification, which the DPO reviews
(ADR 0040).
"""

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from consent import ConsentLedger, ConsentStatus, start_of_day
from consent.basis import Basis, Ground
from coordination.adapters.store.access_log import AccessEntry
from coordination.domain.case import (
    CaseErased,
    CaseEvent,
    CaseOpened,
    ConsentGranted,
    ConsentWithdrawn,
    EmergencyAccessEnded,
    EmergencyAccessOpened,
)
from coordination.domain.parts import closes_at

EXPIRY_HORIZON = timedelta(days=30)


@dataclass(frozen=True)
class RefusalCount:
    agency: str
    action: str  # refused or withheld
    reason: str
    count: int


@dataclass(frozen=True)
class Expiring:
    case_id: str
    consent_id: str
    recipients: list[str]
    expires_at: datetime


@dataclass(frozen=True)
class Withdrawal:
    case_id: str
    consent_id: str
    at: datetime
    agency: str


@dataclass(frozen=True)
class Erasure:
    case_id: str
    at: datetime
    agency: str


@dataclass
class EmergencyAlert:
    case_id: str
    access_id: str
    agency: str
    opened_at: datetime
    until: datetime
    justification: str | None
    ended_at: datetime | None = None
    reads: int = 0  # in the period

    @property
    def closes_at(self) -> datetime:
        return closes_at(self.until, self.ended_at)


@dataclass(frozen=True)
class Overview:
    controller: str
    municipality: str  # the data-protection officer's agency's
    as_at: datetime
    since: date
    until: date  # inclusive: whole German calendar days
    refused: list[RefusalCount]
    expiring: list[Expiring]
    withdrawals: list[Withdrawal]
    erasures: list[Erasure]
    emergencies: list[EmergencyAlert]


@dataclass
class Controller:
    """What the overview needs of one controller's processing (ADR 0042), folded from
    the events: the cases its agencies opened, the consents its agencies obtained,
    recorded, receive or disclose under, its erasures and its emergency accesses."""

    name: str
    agencies: frozenset[str]
    municipality: str
    cases: set[str] = field(default_factory=set)  # opened by one of its agencies
    ledgers: dict[str, ConsentLedger] = field(default_factory=dict)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    erasures: list[Erasure] = field(default_factory=list)
    emergencies: dict[tuple[str, str], EmergencyAlert] = field(default_factory=dict)

    def fold(self, events: Iterable[CaseEvent]) -> "Controller":
        for event in events:
            self._apply(event)
        return self

    def _mine(self, *agencies: str | None) -> bool:
        return any(a in self.agencies for a in agencies if a is not None)

    def _apply(self, event: CaseEvent) -> None:
        case_id = str(event.originator_id)
        own = case_id in self.cases
        if isinstance(event, CaseOpened):
            if self._mine(event.recorded_by):
                self.cases.add(case_id)
        elif isinstance(event, ConsentGranted):
            consent = event.as_consent()
            if own or self._mine(event.recorded_by, event.obtained_by, *consent.recipients,
                                 *(consent.disclosers or ())):  # fmt: skip
                self.ledgers.setdefault(case_id, ConsentLedger()).record(consent)
        elif isinstance(event, ConsentWithdrawn):
            ledger = self.ledgers.get(case_id)
            if ledger is not None and event.consent_id in ledger.consents:
                ledger.withdraw(event.consent_id, event.timestamp)
                self.withdrawals.append(
                    Withdrawal(case_id, event.consent_id, event.timestamp, event.recorded_by)
                )
        elif isinstance(event, CaseErased):
            # A whole erasure leaves other controllers' parts: their DPOs are told.
            if own or event.controller == self.name or self.name in event.left_to:
                self.erasures.append(Erasure(case_id, event.timestamp, event.recorded_by))
        elif isinstance(event, EmergencyAccessOpened):
            if own or self._mine(event.recorded_by):
                self.emergencies[case_id, event.access_id] = EmergencyAlert(
                    case_id, event.access_id, event.recorded_by, event.timestamp, event.until,
                    event.justification,
                )  # fmt: skip
        elif isinstance(event, EmergencyAccessEnded) and (
            alert := self.emergencies.get((case_id, event.access_id))
        ):
            alert.ended_at = event.timestamp


def period_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """Whole German calendar days (ADR 0002): from 00:00 on `since` to 24:00 on `until`."""
    return start_of_day(since), start_of_day(until + timedelta(days=1))


def overview(
    place: Controller, entries: Iterable[AccessEntry], since: date, until: date, now: datetime
) -> Overview:
    start, end = period_bounds(since, until)

    def in_period(moment: datetime) -> bool:
        return start <= moment < end

    return Overview(
        controller=place.name, municipality=place.municipality, as_at=now, since=since, until=until,
        refused=_refusals(place, entries, in_period),
        expiring=_expiring(place, now),
        withdrawals=[w for w in place.withdrawals if in_period(w.at)],
        erasures=[e for e in place.erasures if in_period(e.at)],
        emergencies=_emergencies(place, entries, in_period, now),
    )  # fmt: skip


def _emergencies(
    place: Controller, entries: Iterable[AccessEntry], in_period: Callable[[datetime], bool],
    now: datetime,
) -> list[EmergencyAlert]:  # fmt: skip
    """Opened in the period or open now; reads under each counted over the period."""
    shown = {
        key: alert for key, alert in place.emergencies.items()
        if in_period(alert.opened_at) or alert.opened_at <= now < alert.closes_at
    }  # fmt: skip
    for e in entries:
        if e.action != "read" or not in_period(e.at) or e.case_id is None:
            continue
        for ref in {Basis.parse(str(b)) for b in e.basis.values() if b != e.basis.get("role")}:
            if ref.ground is Ground.EMERGENCY and (e.case_id, ref.ref) in shown:
                shown[e.case_id, ref.ref].reads += 1
    return sorted(shown.values(), key=lambda a: (a.opened_at, a.case_id))


def _refusals(
    place: Controller, entries: Iterable[AccessEntry], in_period: Callable[[datetime], bool]
) -> list[RefusalCount]:
    counts = Counter(
        (e.agency_id, e.action, e.reason or "")
        for e in entries
        if e.action in ("refused", "withheld")
        and in_period(e.at)
        and (e.case_id in place.cases or e.agency_id in place.agencies)
    )
    return [RefusalCount(*key, count) for key, count in sorted(counts.items())]


def _expiring(place: Controller, now: datetime) -> list[Expiring]:
    horizon = now + EXPIRY_HORIZON
    soon = [
        Expiring(case_id, c.consent_id, sorted(c.recipients), c.expires_at)
        for case_id, ledger in place.ledgers.items()
        for c in ledger.consents.values()
        if c.expires_at is not None
        and now < c.expires_at <= horizon
        and c.status(now) in (ConsentStatus.ACTIVE, ConsentStatus.PENDING)
    ]
    return sorted(soon, key=lambda e: (e.expires_at, e.case_id, e.consent_id))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


CSV_COLUMNS = (
    "section", "agency", "action", "reason", "count", "case_id", "consent_id", "at", "access_id",
)  # fmt: skip


def overview_csv(o: Overview) -> str:
    """One table for spreadsheets: a `section` column says which list a row is from."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in o.refused:
        writer.writerow(["refused", r.agency, r.action, r.reason, r.count, "", "", "", ""])
    for x in o.expiring:
        writer.writerow(["expiring", " ".join(x.recipients), "", "", "", x.case_id,
                         x.consent_id, _utc(x.expires_at), ""])  # fmt: skip
    for w in o.withdrawals:
        writer.writerow(["withdrawal", w.agency, "", "", "", w.case_id, w.consent_id,
                         _utc(w.at), ""])  # fmt: skip
    for e in o.erasures:
        writer.writerow(["erasure", e.agency, "", "", "", e.case_id, "", _utc(e.at), ""])
    for a in o.emergencies:  # the justification stays out of spreadsheets
        writer.writerow(["emergency", a.agency, "", "", a.reads, a.case_id, "",
                         _utc(a.opened_at), a.access_id])  # fmt: skip
    return out.getvalue()
