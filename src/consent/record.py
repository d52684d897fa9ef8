"""One consent as recorded on a case, and when it is in force."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from consent.vocabulary import Category, Purpose

# Consent dates are German calendar days: a consent "valid until 30 June"
# holds until midnight in Germany, not in UTC.
LOCAL_TIME = ZoneInfo("Europe/Berlin")


class ConsentStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIME)


def end_of_validity(valid_until: date | datetime) -> datetime:
    """A date is valid through that whole day; a datetime until that instant."""
    if isinstance(valid_until, datetime):
        return valid_until
    return start_of_day(valid_until + timedelta(days=1))


@dataclass(frozen=True)
class Consent:
    consent_id: str
    recipients: frozenset[str]
    purposes: frozenset[Purpose]
    categories: frozenset[Category]
    given_on: date
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None
    # The agencies that may disclose under it; None: any agency holding the data.
    disclosers: frozenset[str] | None = None

    def status(self, at: datetime) -> ConsentStatus:
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return ConsentStatus.WITHDRAWN
        if self.expires_at is not None and self.expires_at <= at:
            return ConsentStatus.EXPIRED
        if at < start_of_day(self.given_on):
            return ConsentStatus.PENDING
        return ConsentStatus.ACTIVE

    def is_active(self, at: datetime) -> bool:
        return self.status(at) is ConsentStatus.ACTIVE

    def names(self, agency: str) -> bool:
        return agency in self.recipients

    def lets_disclose(self, sender: str) -> bool:
        return self.disclosers is None or sender in self.disclosers

    def withdrawn(self, at: datetime) -> "Consent":
        return replace(self, withdrawn_at=at)
