"""The kinds of value a command takes, each named once.

A command's parameters are annotated with these (`Slug`, `Text`, `Day`, `LevelCode`, …);
the contract (`coordination.contract`) turns each into the check the boundary makes, so
the request bodies of the HTTP API and the lines of the bulk import accept exactly what
the commands take. The annotations say what the values are at run time (strings, dates,
lists, dicts); the metadata says which strings and which dicts: a `Kind`, an enumeration
of codes, or the shape (a TypedDict) of a dict.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Annotated, Any, NotRequired, TypedDict

from consent import Category, EvidenceMethod, Purpose


class Kind(Enum):
    """What a text or a date stands for; the value is how the contract explains it."""

    SLUG = "an id: a lower-case letter or digit, then 1 to 62 of them or '-'"
    TEXT = "a free text of 1 to 2,000 characters"
    SHORT_TEXT = "a text of 1 to 200 characters"
    DAY = "a date from 1900-01-01 to 2999-12-31"
    COUNTRY = "a country: ISO 3166 code of 2 or 3 upper-case letters"
    LANGUAGE = "a language: ISO 639 code of 2 or 3 lower-case letters"
    PHONE = "a phone number of up to 40 characters"
    EMAIL = "an e-mail address of up to 254 characters"
    # Both stay readable after an erasure and go to the access log: no personal data.
    ERASURE_REASON = "a reason of 1 to 500 characters"
    LEGAL_BASIS = "a legal basis of 1 to 200 characters"
    CASE_ID = "a case's id: a UUID in its 36-character form"


Slug = Annotated[str, Kind.SLUG]
Text = Annotated[str, Kind.TEXT]
ShortText = Annotated[str, Kind.SHORT_TEXT]
Day = Annotated[date, Kind.DAY]
CountryCode = Annotated[str, Kind.COUNTRY]
LanguageCode = Annotated[str, Kind.LANGUAGE]
Phone = Annotated[str, Kind.PHONE]
Email = Annotated[str, Kind.EMAIL]
ErasureReason = Annotated[str, Kind.ERASURE_REASON]
LegalBasis = Annotated[str, Kind.LEGAL_BASIS]
CaseId = Annotated[str, Kind.CASE_ID]


class Supplied:
    """Marks a parameter the application gives a command, not the caller's request."""


class Unchanged(Enum):
    """A parameter left out of a command that changes a value the case holds: the value
    stays as it is, where null would remove it. The contract makes it a field that may
    be left out (`phone` left out keeps the phone number; `"phone": null` removes it)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class Items:
    """How many items a list takes."""

    least: int = 0
    most: int | None = None


class Level(StrEnum):
    """Language levels of the Common European Framework of Reference."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


class CourseType(StrEnum):
    INTEGRATION_COURSE = "integration_course"
    LITERACY_COURSE = "literacy_course"
    INTENSIVE_COURSE = "intensive_course"
    VOCATIONAL_LANGUAGE_COURSE = "vocational_language_course"
    ORIENTATION_COURSE = "orientation_course"


class CourseResult(StrEnum):
    """A level reached (the Deutsch-Test für Zuwanderer), or a course's plain outcome."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    BELOW_A2 = "below_A2"
    PASSED = "passed"
    FAILED = "failed"


class Representation(StrEnum):
    """Who consents for the person: parents or a guardian (Vormund) for a minor, a
    court-appointed legal carer (rechtliche Betreuung, § 1814 BGB) for an adult."""

    PARENT = "parent"
    GUARDIAN = "guardian"
    LEGAL_CARER = "legal_carer"


# For a minor: who may act for them.
FOR_MINORS = frozenset({Representation.PARENT, Representation.GUARDIAN})


class RecognitionOutcome(StrEnum):
    """A recognition decision on a foreign qualification (BQFG)."""

    FULL = "full"
    PARTIAL = "partial"
    REJECTED = "rejected"
    COMPENSATION_REQUIRED = "compensation_required"


class AgreementEnd(StrEnum):
    """How an integration agreement ends: its goals met, replaced by a new one, or
    broken off."""

    FULFILLED = "fulfilled"
    SUPERSEDED = "superseded"
    BROKEN_OFF = "broken_off"


class Side(StrEnum):
    """Who owns an obligation of an integration agreement: the person ("Fordern") or an
    agency ("Fördern")."""

    PERSON = "person"
    AGENCY = "agency"


class PlanArea(StrEnum):
    """The areas of an integration plan, as the Ortenaukreis's integration managers
    keep them; an integration agreement may sort its obligations by them too."""

    ORIENTATION = "orientation"
    LANGUAGE = "language"
    EDUCATION = "education"  # education, childcare and school
    WORK = "work"
    HOUSING = "housing"


class Need(StrEnum):
    """What the person needs, as the agreement records it. Health-related needs are a
    special category (Art. 9 GDPR) and are recorded apart, read under `health`."""

    LANGUAGE_COURSE = "language_course"
    RECOGNITION = "recognition"
    CHILDCARE = "childcare"
    SCHOOL = "school"
    HOUSING = "housing"
    WORK = "work"
    COUNSELLING = "counselling"


class ReferenceScheme(StrEnum):
    """Whose file number an agency attaches to a case."""

    AKTENZEICHEN = "aktenzeichen"  # an authority's file reference
    BA_KUNDENNUMMER = "ba_kundennummer"  # the employment agency's and job centre's
    AZR_NUMMER = "azr_nummer"  # the Central Register of Foreigners' number
    OTHER = "other"


# The person's path: recognition, places, housing, cooperation plan


class CompensationMeasure(StrEnum):
    """What a recognition decision of `compensation_required` asks of the person: an
    adaptation course (Anpassungslehrgang) or a knowledge test (Kenntnisprüfung)."""

    ADAPTATION_COURSE = "adaptation_course"
    KNOWLEDGE_TEST = "knowledge_test"


class PlaceKind(StrEnum):
    """A place for a child: in childcare (a Kita or a childminder) or at a school."""

    CHILDCARE = "childcare"
    SCHOOL = "school"


class Accommodation(StrEnum):
    """Where the person lives: an initial reception centre (Erstaufnahmeeinrichtung),
    shared accommodation (Gemeinschaftsunterkunft), follow-on accommodation
    (Anschlussunterbringung) or a flat of their own."""

    INITIAL_RECEPTION = "initial_reception"
    SHARED_ACCOMMODATION = "shared_accommodation"
    FOLLOW_ON_ACCOMMODATION = "follow_on_accommodation"
    OWN_FLAT = "own_flat"


PurposeCode = Annotated[str, Purpose]
CategoryCode = Annotated[str, Category]
LevelCode = Annotated[str, Level]
CourseTypeCode = Annotated[str, CourseType]
CourseResultCode = Annotated[str, CourseResult]
RecognitionOutcomeCode = Annotated[str, RecognitionOutcome]
ReferenceSchemeCode = Annotated[str, ReferenceScheme]
AgreementEndCode = Annotated[str, AgreementEnd]
CompensationMeasureCode = Annotated[str, CompensationMeasure]
PlaceKindCode = Annotated[str, PlaceKind]
AccommodationCode = Annotated[str, Accommodation]
SideCode = Annotated[str, Side]
PlanAreaCode = Annotated[str, PlanArea]
NeedCode = Annotated[str, Need]

# Nested parts of a command's input. A key that may be left out reads as None, or as an
# empty list for a list.


class Person(TypedDict):
    given_name: ShortText
    family_name: ShortText
    date_of_birth: NotRequired[Day | None]
    nationality: NotRequired[CountryCode | None]
    languages: NotRequired[list[LanguageCode]]
    phone: NotRequired[Phone | None]
    email: NotRequired[Email | None]


# The person's fields that `identity` and `contact` cover (`residence` covers the
# residence status, which the case holds beside the person).
IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "nationality", "languages")
CONTACT_FIELDS = ("phone", "email")


class PersonContact(TypedDict):
    """The person's contact details a change sets; a key left out stays as it was."""

    phone: NotRequired[Phone | None]
    email: NotRequired[Email | None]


class Evidence(TypedDict):
    """How a consent was given: in writing, electronically or orally before a witness."""

    method: Annotated[str, EvidenceMethod]
    document_ref: NotRequired[ShortText | None]
    language: NotRequired[LanguageCode | None]


class Representative(TypedDict):
    """Who gave a consent on the person's behalf, and as what."""

    name: ShortText
    representation: Annotated[str, Representation]


class PlannedMilestone(TypedDict):
    """An obligation of the agreement. The person's own (`owner: person`) is followed up
    by its responsible agency; an agency's is that agency's offer."""

    title: ShortText
    due_on: Day
    responsible_agency: Slug
    milestone_id: NotRequired[Slug | None]
    owner: NotRequired[SideCode]  # left out: the responsible agency's
    area: NotRequired[PlanAreaCode | None]


class Brings(TypedDict):
    """What the person brings: a language level, and in words their languages,
    schooling, qualifications and work experience."""

    language_level: NotRequired[LevelCode | None]
    summary: NotRequired[Text | None]


PersonDetails = Annotated[dict[str, Any], Person]
ContactDetails = Annotated[dict[str, Any], PersonContact]
EvidenceDetails = Annotated[dict[str, Any], Evidence]
RepresentativeDetails = Annotated[dict[str, Any], Representative]
MilestonePlan = Annotated[dict[str, Any], PlannedMilestone]
BringsDetails = Annotated[dict[str, Any], Brings]
