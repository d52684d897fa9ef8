"""The things a case holds besides its consents: referrals, courses, agreements,
qualifications, emergency accesses.

Each part remembers the agency that created it: that agency may always read it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"


@dataclass
class Referral:
    referral_id: str
    from_agency: str
    to_agency: str
    purpose: str
    categories: list[str]
    status: ReferralStatus = ReferralStatus.SENT

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


@dataclass
class Course:
    course_id: str
    course_type: str
    provider: str
    recorded_by: str
    target_level: str | None = None
    starts_on: date | None = None
    result: str | None = None
    completed_on: date | None = None

    @property
    def is_active(self) -> bool:
        return self.result is None


@dataclass
class Milestone:
    milestone_id: str
    title: str
    due_on: date
    responsible_agency: str
    met_on: date | None = None
    cancelled_on: date | None = None  # a cancelled milestone is never overdue
    owner: str = "agency"  # whose obligation (`Side`): the person's or the agency's
    area: str | None = None  # the plan area (`PlanArea`) it belongs to

    @property
    def is_open(self) -> bool:
        return self.met_on is None and self.cancelled_on is None


@dataclass
class Agreement:
    agreement_id: str
    signed_on: date
    recorded_by: str
    milestones: dict[str, Milestone] = field(default_factory=dict)
    next_review_on: date | None = None
    ended: str | None = None  # how it ended (`AgreementEnd`); None: it runs
    ended_on: date | None = None
    parties: list[str] = field(default_factory=list)  # the agencies that signed it
    acknowledged_on: date | None = None  # the person's latest signature

    @property
    def is_running(self) -> bool:
        return self.ended is None


@dataclass
class Qualification:
    qualification_id: str
    title: str
    country: str
    recorded_by: str
    level: str | None = None
    obtained_on: date | None = None
    recognition: str | None = None
    decided_on: date | None = None


@dataclass
class EmergencyAccess:
    """The case opened to one agency for a limited time, for a person's vital interests."""

    access_id: str
    agency: str
    opened_at: datetime
    until: datetime
    ended_at: datetime | None = None

    @property
    def closes_at(self) -> datetime:
        return closes_at(self.until, self.ended_at)

    def active(self, at: datetime) -> bool:
        return self.opened_at <= at < self.closes_at


def closes_at(until: datetime, ended_at: datetime | None) -> datetime:
    """When an emergency access stops counting: at `until`, or when it was ended, the
    earlier."""
    return min(until, ended_at) if ended_at else until
