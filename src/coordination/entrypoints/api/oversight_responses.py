"""Response bodies of the data-protection endpoints (consent trail, report, overview).

They mirror the documents built in `coordination.services.oversight`; FastAPI checks each
answer against them. Receipts are standard documents (JSON-LD, FHIR) and have none.
"""

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.config import JsonDict

from consent import Category

# Every instant in UTC ("...Z"), as events' recorded_at; consent days are Berlin days.
from coordination.contract.events import Instant
from coordination.contract.examples import AT, CASE_ID, RECORDED_BY


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


# The examples' case three days on: the foreigners authority obtained a consent for the
# migration counselling and referred the person there; the counselling service read
# what the consent covers, the job centre (unrelated) was refused, an auditor took the
# case's audit bundle.
BASIS: JsonDict = {"basis": {"contact": "consent-1", "identity": "consent-1"}}
REFERRAL: JsonDict = {
    "version": 3, "at": "2026-09-01T09:05:00Z", "event_type": "ReferralSent",
    "sender": "abh-leipzig", "recipient": "mbe-caritas-leipzig", "purpose": "counselling",
    "categories": ["contact", "identity"], **BASIS, "norms": {},
}  # fmt: skip
CONSENT_1: JsonDict = {"recipients": ["mbe-caritas-leipzig"], "purposes": ["counselling"],
                       "categories": ["contact", "identity"]}  # fmt: skip
EXPIRES = "2027-08-31T22:00:00Z"  # the end of its last day, 31 August 2027, in Germany
MBE: JsonDict = {
    "agency": "mbe-caritas-leipzig", "token_label": "beratungssoftware", "role": "caseworker",
    "request_id": "82bc15ddd76045a2be720e44f17843ae",
}  # fmt: skip
READ: JsonDict = {"at": "2026-09-02T08:30:00Z", **MBE, "action": "read",
                  "categories": ["contact", "identity"], **BASIS, "reason": None,
                  "purpose": None}  # fmt: skip
WITHHELD: JsonDict = {"at": "2026-09-02T08:30:00Z", **MBE, "action": "withheld",
                      "categories": ["residence"], "basis": {}, "reason": "no-consent",
                      "purpose": None}  # fmt: skip
REFUSED: JsonDict = {
    "at": "2026-09-03T11:12:00Z", "agency": "jobcenter-leipzig", "token_label": "fachverfahren",
    "role": "caseworker", "request_id": "e840a3687de54b72b48e891827ea853d", "action": "refused",
    "categories": [], "basis": {}, "reason": "no-relation", "purpose": None,
}  # fmt: skip
AUDITED: JsonDict = {
    "at": "2026-09-03T14:00:00Z", "agency": "stadt-leipzig", "token_label": "revision",
    "role": "auditor", "request_id": "44da849533e94c5ca58d9d4e066b26fa", "action": "read",
    "categories": [], "basis": {"role": "auditor"}, "reason": "audit-bundle", "purpose": None,
}  # fmt: skip


def _step(entry: JsonDict, purposes: list[JsonValue]) -> JsonDict:
    """An access-log entry as a step of the timeline."""
    return {"at": entry["at"], "step": entry["action"], "agency": entry["agency"],
            "categories": entry["categories"], "version": None, "consent_id": None,
            "recipients": [], "purposes": purposes, "basis": entry["basis"],
            "reason": entry["reason"]}  # fmt: skip


def _cells(**covered: list[JsonValue]) -> JsonDict:
    return {c.value: covered.get(c.value, []) for c in Category}


COVER: list[JsonValue] = [{"consent_id": "consent-1", "expires_at": EXPIRES}]
TRAIL: JsonDict = {
    "case_id": CASE_ID, "municipality": "leipzig", "lead_agency": "abh-leipzig",
    "as_at": "2026-09-04T10:00:00Z",
    "consents": [{
        "consent_id": "consent-1", "status": "active", **CONSENT_1, "given_on": "2026-09-01",
        "valid_until": "2027-08-31", "valid_from": "2026-08-31T22:00:00Z", "expires_at": EXPIRES,
        "ended_at": None, "evidence_method": "written", "notice_version": None,
        "obtained_by": "abh-leipzig", "disclosers": None, "given_by": "person",
        "granted": {"version": 2, "at": AT, **RECORDED_BY}, "withdrawn": None,
        "withdrawn_on": None, "disclosures": [REFERRAL],
    }],
    "unfounded_disclosures": [],
    "reads": [READ, AUDITED],
    "refused": [WITHHELD, REFUSED],
    "timeline": [
        {"at": AT, "step": "consent-granted", "agency": "abh-leipzig", "version": 2,
         "consent_id": "consent-1", **CONSENT_1, "basis": {}, "reason": None},
        {"at": REFERRAL["at"], "step": "disclosure", "agency": "abh-leipzig", "version": 3,
         "consent_id": None, **CONSENT_1, **BASIS, "reason": None},
        _step(READ, ["counselling"]), _step(WITHHELD, []), _step(REFUSED, []),
        _step(AUDITED, []),
    ],
    "current_access": {
        "at": "2026-09-04T10:00:00Z", "categories": [c.value for c in Category],
        "agencies": [
            {"agency": "abh-leipzig", "lead": True, "cells": _cells()},
            {"agency": "mbe-caritas-leipzig", "lead": False,
             "cells": _cells(identity=COVER, contact=COVER)},
        ],
    },
    "emergency_accesses": [],
}  # fmt: skip


class ConsentTrail(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TRAIL]})

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


# The lead agency's copy, so with the person's name; a data-protection officer's has none.
REPORT: JsonDict = {
    "case_id": CASE_ID, "generated_at": "2026-09-04T10:00:00Z", "requested_by": "abh-leipzig",
    "requested_as": "lead", "person": {"given_name": "Amina", "family_name": "Haddad"},
    "agencies": [
        {"agency_id": "mbe-caritas-leipzig", "name": "Migrationsberatung Caritas Leipzig",
         "kind": "migrationsberatung", "controller": "caritas-leipzig"},
        {"agency_id": "stadt-leipzig", "name": "Stadt Leipzig, Sozialamt", "kind": "kommune",
         "controller": "leipzig"},
    ],
    "received": [
        {"at": REFERRAL["at"], "agency": "mbe-caritas-leipzig", "sender": "abh-leipzig",
         "event_type": "ReferralSent", "purpose": "counselling",
         "categories": ["contact", "identity"], "consents": ["consent-1"], "norms": []},
    ],
    "read": [
        {"agency": "mbe-caritas-leipzig", "category": category, "consent_id": "consent-1",
         "norm": None, "emergency_access": None, "purposes": ["counselling"],
         "first_at": READ["at"], "last_at": READ["at"], "times": 1}
        for category in ("contact", "identity")
    ],
    "inspections": [
        {"agency": "stadt-leipzig", "role": "auditor", "first_at": AUDITED["at"],
         "last_at": AUDITED["at"], "times": 1},
    ],
    "consents": [
        {"consent_id": "consent-1", "status": "active", **CONSENT_1, "given_on": "2026-09-01",
         "valid_until": "2027-08-31", "granted_at": AT, "withdrawn_at": None,
         "expired_at": None},
    ],
    "emergency_accesses": [],
}  # fmt: skip


class DisclosureReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REPORT]})

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


# The overview of the Leipzig city's data-protection officer (controller `leipzig`) for 30
# days; the expiring, withdrawn and emergency entries are of another case its foreigners
# authority opened.
OTHER_CASE = "0b7e4f2a-9c1d-4e6b-8a3f-5d2c7e9f1a60"
OVERVIEW: JsonDict = {
    "controller": "leipzig", "municipality": "leipzig", "as_at": "2026-09-04T10:00:00Z",
    "since": "2026-08-06", "until": "2026-09-04",
    "refused": [
        {"agency": "jobcenter-leipzig", "action": "refused", "reason": "no-relation", "count": 1},
        {"agency": "mbe-caritas-leipzig", "action": "withheld", "reason": "no-consent",
         "count": 1},
    ],
    "expiring": [
        {"case_id": OTHER_CASE, "consent_id": "consent-1", "recipients": ["jobcenter-leipzig"],
         "expires_at": "2026-09-30T22:00:00Z"},
    ],
    "withdrawals": [
        {"case_id": OTHER_CASE, "consent_id": "consent-2", "at": "2026-08-28T13:40:00Z",
         "agency": "mbe-caritas-leipzig"},
    ],
    "erasures": [],
    "emergencies": [
        {"case_id": OTHER_CASE, "access_id": "emergency-1", "agency": "mbe-caritas-leipzig",
         "opened_at": "2026-08-27T14:05:00Z", "until": "2026-08-28T14:05:00Z",
         "ended_at": "2026-08-27T16:30:00Z",
         "justification": "collapsed at the counselling office; the emergency doctor asks for"
                          " known illnesses and next of kin",
         "reads": 1},
    ],
}  # fmt: skip


class DpoOverview(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [OVERVIEW]})

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
