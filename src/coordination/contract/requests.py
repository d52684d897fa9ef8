"""Request bodies of the contract. Unknown fields are refused (extra="forbid")."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from consent import Category, EvidenceMethod, Purpose

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Level = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
# Days this service can reason about: a validity "until 9999-12-31" would end after the
# last day Python can count to, and break every reader of the case (found by fuzzing).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class Person(Body):
    given_name: ShortText
    family_name: ShortText
    date_of_birth: Day | None = None
    nationality: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")] | None = None
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = []
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    email: (
        Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None


class OpenCase(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{
            "person": {"given_name": "Amina", "family_name": "Haddad",
                       "date_of_birth": "1994-03-02", "nationality": "SY",
                       "languages": ["ar", "en"], "phone": "+49 341 000000", "email": None},
            "municipality": "leipzig", "arrived_on": "2026-08-14",
            "residence_status": "aufenthaltserlaubnis"}]},
    )  # fmt: skip
    person: Person
    municipality: Slug
    arrived_on: Day | None = None
    residence_status: ShortText | None = None


class Evidence(Body):
    method: EvidenceMethod
    document_ref: ShortText | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")] | None = None


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class ConsentGranted(Body):
    model_config = _example(
        type="ConsentGranted", recipients=["mbe-caritas-mayen"], purposes=["counselling"],
        categories=["identity", "contact"], given_on="2026-09-01", valid_until="2027-08-31",
        evidence={"method": "written", "document_ref": "EV-2026-117", "language": "ar"},
    )  # fmt: skip
    type: Literal["ConsentGranted"]
    recipients: Annotated[list[Slug], Field(min_length=1)]
    purposes: Annotated[list[Purpose], Field(min_length=1)]
    categories: Annotated[list[Category], Field(min_length=1)]
    given_on: Day
    valid_until: Day | None = None
    evidence: Evidence
    notice_version: ShortText | None = None
    consent_id: Slug | None = None


class ConsentWithdrawn(Body):
    model_config = _example(type="ConsentWithdrawn", consent_id="consent-1",
                            withdrawn_on="2026-10-01", reason="person asked")  # fmt: skip
    type: Literal["ConsentWithdrawn"]
    consent_id: Slug
    withdrawn_on: Day | None = None
    reason: Text | None = None


class ReferralSent(Body):
    model_config = _example(type="ReferralSent", to_agency="mbe-caritas-mayen",
                            purpose="counselling", categories=["identity", "contact"])  # fmt: skip
    type: Literal["ReferralSent"]
    to_agency: Slug
    purpose: Purpose
    categories: Annotated[list[Category], Field(min_length=1)]
    note: Text | None = None
    referral_id: Slug | None = None


class ReferralAccepted(Body):
    model_config = _example(type="ReferralAccepted", referral_id="referral-1")
    type: Literal["ReferralAccepted"]
    referral_id: Slug
    reason: Text | None = None


class ReferralDeclined(Body):
    model_config = _example(type="ReferralDeclined", referral_id="referral-1", reason="full")
    type: Literal["ReferralDeclined"]
    referral_id: Slug
    reason: Text | None = None


class ReferralCompleted(Body):
    model_config = _example(type="ReferralCompleted", referral_id="referral-1",
                            outcome="counselling plan agreed")  # fmt: skip
    type: Literal["ReferralCompleted"]
    referral_id: Slug
    outcome: Text


class CourseAssigned(Body):
    model_config = _example(type="CourseAssigned", course_type="integration_course",
                            provider="vhs-leipzig", target_level="B1",
                            starts_on="2026-10-05")  # fmt: skip
    type: Literal["CourseAssigned"]
    course_type: Literal[
        "integration_course", "literacy_course", "intensive_course",
        "vocational_language_course", "orientation_course",
    ]  # fmt: skip
    provider: Slug
    target_level: Level | None = None
    starts_on: Day | None = None
    course_id: Slug | None = None


class CourseCompleted(Body):
    model_config = _example(type="CourseCompleted", course_id="course-1", result="B1",
                            completed_on="2027-04-30")  # fmt: skip
    type: Literal["CourseCompleted"]
    course_id: Slug
    result: Level | Literal["below_A2", "passed", "failed"]
    completed_on: Day


class MilestoneIn(Body):
    title: ShortText
    due_on: Day
    responsible_agency: Slug
    milestone_id: Slug | None = None


class AgreementConcluded(Body):
    model_config = _example(
        type="AgreementConcluded", signed_on="2026-09-15",
        milestones=[{"title": "Integrationskurs begonnen", "due_on": "2026-11-01",
                     "responsible_agency": "mbe-caritas-mayen"}],
    )  # fmt: skip
    type: Literal["AgreementConcluded"]
    signed_on: Day
    milestones: Annotated[list[MilestoneIn], Field(min_length=1, max_length=50)]
    agreement_id: Slug | None = None


class MilestoneMet(Body):
    model_config = _example(type="MilestoneMet", agreement_id="agreement-1",
                            milestone_id="milestone-1", met_on="2026-10-30")  # fmt: skip
    type: Literal["MilestoneMet"]
    agreement_id: Slug
    milestone_id: Slug
    met_on: Day
    note: Text | None = None


class MilestoneRescheduled(Body):
    model_config = _example(type="MilestoneRescheduled", agreement_id="agreement-1",
                            milestone_id="milestone-1", due_on="2026-12-01",
                            reason="course start moved")  # fmt: skip
    type: Literal["MilestoneRescheduled"]
    agreement_id: Slug
    milestone_id: Slug
    due_on: Day
    reason: Text


class QualificationRecorded(Body):
    model_config = _example(type="QualificationRecorded", title="Bachelor of Nursing",
                            country="SY", level="bachelor", obtained_on="2018-06-30")  # fmt: skip
    type: Literal["QualificationRecorded"]
    title: ShortText
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")]
    level: ShortText | None = None
    obtained_on: Day | None = None
    qualification_id: Slug | None = None


class RecognitionDecided(Body):
    model_config = _example(type="RecognitionDecided", qualification_id="qualification-1",
                            outcome="compensation_required", decided_on="2026-12-10")  # fmt: skip
    type: Literal["RecognitionDecided"]
    qualification_id: Slug
    outcome: Literal["full", "partial", "rejected", "compensation_required"]
    decided_on: Day


class CaseTransferred(Body):
    model_config = _example(type="CaseTransferred", to_agency="im-ortenau-offenburg",
                            reason="moved")  # fmt: skip
    type: Literal["CaseTransferred"]
    to_agency: Slug
    reason: Text | None = None


class CaseClosed(Body):
    model_config = _example(type="CaseClosed", reason="integration agreement fulfilled")
    type: Literal["CaseClosed"]
    reason: Text


EventIn = Annotated[
    ConsentGranted | ConsentWithdrawn | ReferralSent | ReferralAccepted | ReferralDeclined
    | ReferralCompleted | CourseAssigned | CourseCompleted | AgreementConcluded | MilestoneMet
    | MilestoneRescheduled | QualificationRecorded | RecognitionDecided | CaseTransferred
    | CaseClosed,
    Field(discriminator="type"),
]  # fmt: skip
