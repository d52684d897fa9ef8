"""The disclosure report for the person (Art. 15 GDPR), as it is handed out: who
received or read which of their data, when, for what purpose, on which basis: a
consent of theirs or a statutory rule (its norm)."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class AgencyRef:
    agency_id: str
    name: str
    kind: str
    controller: str = ""  # the body responsible for the agency's processing (ADR 0042)


@dataclass(frozen=True)
class PersonName:
    given_name: str
    family_name: str


@dataclass(frozen=True)
class Received:
    """Data sent to an agency by an event (a referral, a course, a plan, a transfer)."""

    at: datetime
    agency: str
    sender: str
    event_type: str
    purpose: str
    categories: list[str]
    consents: list[str]
    norms: list[str]  # the statutory rules' citations, for categories sent by law


@dataclass(frozen=True)
class ReadSummary:
    """Reads of one category by one agency on one basis, counted."""

    agency: str
    category: str
    consent_id: str | None  # None: read under a statutory rule
    purposes: list[str]  # those of the consent or the rule
    first_at: datetime
    last_at: datetime
    times: int
    norm: str | None = None  # the rule's citation, or the GDPR's for an emergency access
    emergency_access: str | None = None  # the emergency access read under


@dataclass(frozen=True)
class EmergencyUse:
    """An emergency access to the case: who opened it, why, for how long, reads under it."""

    access_id: str
    agency: str
    opened_at: datetime
    closes_at: datetime
    ended: bool  # ended by the agency before its time ran out
    justification: str | None  # None once the case is erased
    reads: int


@dataclass(frozen=True)
class Inspection:
    """An auditor's reads of the whole case, in its supervisory role."""

    agency: str
    role: str
    first_at: datetime
    last_at: datetime
    times: int


@dataclass(frozen=True)
class ReportConsent:
    consent_id: str
    status: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    valid_until: date | None
    granted_at: datetime
    withdrawn_at: datetime | None
    expired_at: datetime | None


@dataclass(frozen=True)
class DisclosureReport:
    case_id: UUID
    generated_at: datetime
    requested_by: str
    requested_as: str
    person: PersonName | None
    agencies: list[AgencyRef]
    received: list[Received]
    read: list[ReadSummary]
    inspections: list[Inspection]
    consents: list[ReportConsent]
    emergency_accesses: list[EmergencyUse]
