"""Response bodies of the data-protection endpoints (consent trail, report, overview).

They mirror the documents built in `coordination.services.oversight`; FastAPI checks each
answer against them. Receipts are standard documents (JSON-LD, FHIR) and have none.
"""

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

# Every instant in UTC ("...Z"), as events' recorded_at; consent days are Berlin days.
from coordination.contract.events import Instant


class Recording(BaseModel):
    version: int
    at: Instant
    agency: str
    token_label: str


class Disclosure(BaseModel):
    version: int
    at: Instant
    event_type: str
    sender: str
    recipient: str
    purpose: str
    categories: list[str]
    basis: dict[str, str] = Field(
        description="per category: a consent's id, or `statute:<rule id>` for a rule"
    )
    norms: dict[str, str] = Field(description="per category sent by law: the rule's citation")


class TrailConsent(BaseModel):
    consent_id: str
    status: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    valid_until: date | None
    valid_from: Instant
    expires_at: Instant | None
    ended_at: Instant | None
    evidence_method: str | None
    notice_version: str | None
    obtained_by: str = Field(description="the agency that obtained the consent")
    disclosers: list[str] | None = Field(
        description="the agencies that may disclose under it; null: any agency holding the data"
    )
    given_by: str = Field(
        description="`person`, or the legal representative's standing: parent, guardian, "
        "legal_carer"
    )
    granted: Recording
    withdrawn: Recording | None
    withdrawn_on: date | None
    disclosures: list[Disclosure]


class LoggedAccess(BaseModel):
    at: Instant
    agency: str
    token_label: str
    role: str
    request_id: str
    action: str
    categories: list[str]
    basis: dict[str, str]
    reason: str | None
    purpose: str | None = Field(description="the purpose the reader named, if any")


class Step(BaseModel):
    at: Instant
    step: str
    agency: str | None
    categories: list[str]
    version: int | None
    consent_id: str | None
    recipients: list[str]
    purposes: list[str]
    basis: dict[str, str]
    reason: str | None


class Cover(BaseModel):
    consent_id: str
    expires_at: Instant | None


class AccessRow(BaseModel):
    agency: str
    lead: bool
    cells: dict[str, list[Cover]]


class CurrentAccess(BaseModel):
    at: Instant
    categories: list[str]
    agencies: list[AccessRow]


class EmergencyUse(BaseModel):
    access_id: str
    agency: str
    opened_at: Instant
    closes_at: Instant = Field(description="when it stopped or stops counting")
    ended: bool = Field(description="ended by the agency before its time ran out")
    justification: str | None = Field(description="null once the case is erased")
    reads: int = Field(description="reads logged under it")


class ConsentTrail(BaseModel):
    case_id: UUID
    municipality: str
    lead_agency: str
    as_at: Instant
    consents: list[TrailConsent]
    unfounded_disclosures: list[Disclosure]
    reads: list[LoggedAccess]
    refused: list[LoggedAccess]
    timeline: list[Step]
    current_access: CurrentAccess
    emergency_accesses: list[EmergencyUse]


class AgencyRef(BaseModel):
    agency_id: str
    name: str
    kind: str
    controller: str = Field(description="the body responsible for the agency's processing")


class PersonName(BaseModel):
    given_name: str
    family_name: str


class Received(BaseModel):
    at: Instant
    agency: str
    sender: str
    event_type: str
    purpose: str
    categories: list[str]
    consents: list[str] = Field(description="the consents the categories were sent on")
    norms: list[str] = Field(
        description="the statutory rules' citations, for categories sent by law"
    )


class ReadSummary(BaseModel):
    agency: str
    category: str
    consent_id: str | None = Field(description="null: read under a statutory rule (`norm`)")
    norm: str | None = Field(
        description="the statutory rule's citation if read by law; the GDPR's if read under "
        "emergency access"
    )
    emergency_access: str | None = Field(description="the emergency access read under")
    purposes: list[str]
    first_at: Instant
    last_at: Instant
    times: int


class Inspection(BaseModel):
    agency: str
    role: str
    first_at: Instant
    last_at: Instant
    times: int


class ReportConsent(BaseModel):
    consent_id: str
    status: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    valid_until: date | None
    granted_at: Instant
    withdrawn_at: Instant | None
    expired_at: Instant | None


class DisclosureReport(BaseModel):
    case_id: UUID
    generated_at: Instant
    requested_by: str
    requested_as: str
    person: PersonName | None
    agencies: list[AgencyRef]
    received: list[Received]
    read: list[ReadSummary]
    inspections: list[Inspection]
    consents: list[ReportConsent]
    emergency_accesses: list[EmergencyUse]


class RefusalCount(BaseModel):
    agency: str
    action: str
    reason: str
    count: int


class Expiring(BaseModel):
    case_id: str
    consent_id: str
    recipients: list[str]
    expires_at: Instant


class Withdrawal(BaseModel):
    case_id: str
    consent_id: str
    at: Instant
    agency: str


class Erasure(BaseModel):
    case_id: str
    at: Instant
    agency: str


class EmergencyAlert(BaseModel):
    case_id: str
    access_id: str
    agency: str
    opened_at: Instant
    until: Instant
    ended_at: Instant | None
    justification: str | None = Field(description="why it was opened; null once erased")
    reads: int = Field(description="reads under it in the period")


class DpoOverview(BaseModel):
    controller: str = Field(description="the controller whose processing it covers")
    municipality: str = Field(description="the data-protection officer's agency's")
    as_at: Instant
    since: date
    until: date
    refused: list[RefusalCount]
    expiring: list[Expiring]
    withdrawals: list[Withdrawal]
    erasures: list[Erasure]
    emergencies: list[EmergencyAlert] = Field(
        description="emergency accesses opened in the period or open now: the DPO's alert"
    )
