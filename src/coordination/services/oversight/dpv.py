"""Our consent vocabulary in W3C Data Privacy Vocabulary (DPV 2.x) terms.

Each purpose maps to its closest core DPV purpose and, where the public-services
sector extension has a narrower one, that one too; each category to its closest
personal-data concept in `pd:`; each status to a DPV consent status. The
mapping and the reasons for it are in docs/consent-trail.md.
"""

from collections.abc import Mapping

from consent import Category, ConsentStatus, Purpose

NAMESPACES: Mapping[str, str] = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "dpv-ps": "https://w3id.org/dpv/sector/publicservices#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "loc": "https://w3id.org/dpv/loc#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

PURPOSES: Mapping[Purpose, tuple[str, ...]] = {
    Purpose.CASE_MANAGEMENT: ("dpv:ServiceProvision", "dpv-ps:PublicServiceManagement"),
    Purpose.COUNSELLING: ("dpv:RequestedServiceProvision", "dpv-ps:SocialAssistanceManagement"),
    Purpose.LANGUAGE_COURSE: ("dpv:ServiceProvision", "dpv-ps:PublicServiceProvision"),
    Purpose.QUALIFICATION_RECOGNITION: ("dpv:ServiceProvision", "dpv-ps:PublicServiceProvision"),
    Purpose.JOB_PLACEMENT: ("dpv:ServiceProvision", "dpv-ps:PublicServiceProvision"),
    Purpose.SOCIAL_BENEFITS: ("dpv:ServiceProvision", "dpv-ps:SocialWelfareProvision"),
    Purpose.HOUSING: ("dpv:ServiceProvision", "dpv-ps:HousingWelfareManagement"),
    Purpose.CHILDCARE_SCHOOLING: ("dpv:ServiceProvision", "dpv-ps:PublicServiceProvision"),
    Purpose.RESIDENCE_PROCEDURE: ("dpv:ServiceProvision", "dpv-ps:PublicServiceManagement"),
}

CATEGORIES: Mapping[Category, tuple[str, ...]] = {
    Category.IDENTITY: ("pd:Identifying",),
    Category.CONTACT: ("pd:Contact",),
    Category.RESIDENCE: ("pd:Residency",),
    Category.LANGUAGE: ("pd:Language",),
    Category.EDUCATION: ("pd:Education",),
    Category.EMPLOYMENT: ("pd:EmploymentHistory",),
    Category.FAMILY: ("pd:Family",),
    Category.INTEGRATION_PLAN: ("pd:Social",),
    Category.COUNSELLING: ("pd:Communication",),
    Category.HEALTH: ("pd:Health", "dpv:SpecialCategoryPersonalData"),
}

# A pending consent has been given; it only counts from a later day (its dct:valid).
STATUSES: Mapping[ConsentStatus, str] = {
    ConsentStatus.PENDING: "dpv:ConsentGiven",
    ConsentStatus.ACTIVE: "dpv:ConsentGiven",
    ConsentStatus.WITHDRAWN: "dpv:ConsentWithdrawn",
    ConsentStatus.EXPIRED: "dpv:ConsentExpired",
}

# GDPR Art. 6(1)(a) consent; Art. 9(2)(a) explicit consent for special categories.
CONSENT_BASIS = "eu-gdpr:A6-1-a"
EXPLICIT_CONSENT_BASIS = "eu-gdpr:A9-2-a"


def expand(curie: str) -> str:
    """'pd:Contact' -> 'https://w3id.org/dpv/pd#Contact'."""
    prefix, _, local = curie.partition(":")
    return NAMESPACES[prefix] + local
