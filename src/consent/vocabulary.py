"""The closed vocabularies a consent speaks in: categories, purposes, evidence."""

from enum import StrEnum


class Category(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    RESIDENCE = "residence"
    LANGUAGE = "language"
    EDUCATION = "education"
    EMPLOYMENT = "employment"
    FAMILY = "family"
    INTEGRATION_PLAN = "integration_plan"
    COUNSELLING = "counselling"
    HEALTH = "health"


# Art. 9 GDPR: processing these needs explicit consent, which this service
# only accepts in writing.
SPECIAL_CATEGORIES = frozenset({Category.HEALTH})


class Purpose(StrEnum):
    CASE_MANAGEMENT = "case_management"
    COUNSELLING = "counselling"
    LANGUAGE_COURSE = "language_course"
    QUALIFICATION_RECOGNITION = "qualification_recognition"
    JOB_PLACEMENT = "job_placement"
    SOCIAL_BENEFITS = "social_benefits"
    HOUSING = "housing"
    CHILDCARE_SCHOOLING = "childcare_schooling"
    RESIDENCE_PROCEDURE = "residence_procedure"


class EvidenceMethod(StrEnum):
    WRITTEN = "written"
    ELECTRONIC = "electronic"
    ORAL_WITNESSED = "oral_witnessed"
