"""The words of the printable report, in German and English.

Codes (agency ids, consent ids) are printed as they are: the person and the DPO
must be able to find them in receipts and in the consent trail.
"""

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from consent.record import LOCAL_TIME
from coordination.domain.catalogue import CATALOGUE


class Language(StrEnum):
    DE = "de"
    EN = "en"


TEXT: Final[Mapping[Language, Mapping[str, str]]] = {
    Language.DE: {
        "title": "Auskunft über die Weitergabe Ihrer Daten (Art. 15 DSGVO)",
        "intro": (
            "Diese Auskunft zeigt, welche Stellen Daten aus Ihrer Fallakte erhalten oder gelesen "
            "haben, wann, wozu und auf welcher Grundlage (Ihre Einwilligung, ein Gesetz oder ein "
            "Notfall), und welche Einwilligungen Sie erteilt und widerrufen haben. Zeiten sind "
            "deutsche Ortszeit."
        ),
        "case": "Fall",
        "generated": "Erstellt am",
        "requested_by": "Erstellt durch",
        "as_dpo": "Datenschutzbeauftragte Stelle",
        "as_lead": "Federführende Stelle",
        "person": "Betroffene Person",
        "no_name": "(wird nach Prüfung der Identität von Hand eingetragen)",
        "agencies": "Stellen, die Ihre Daten erhalten, gelesen oder eine Einwilligung haben",
        "received": "Weitergaben an andere Stellen",
        "read": "Abrufe durch andere Stellen",
        "inspections": "Prüfungen durch Aufsichtsstellen",
        "emergencies": "Notfallzugriffe zum Schutz lebenswichtiger Interessen",
        "basis": "Rechtsgrundlage",
        "justification": "Begründung",
        "until": "bis",
        "consents": "Ihre Einwilligungen",
        "none": "Keine.",
        "when": "Zeitpunkt",
        "agency": "Stelle",
        "from": "von",
        "purpose": "Zweck",
        "purposes": "Zwecke",
        "categories": "Datenkategorien",
        "category": "Datenkategorie",
        "consent": "Einwilligung",
        "period": "Zeitraum",
        "times": "Anzahl",
        "role": "Rolle",
        "recipients": "Empfänger",
        "given_on": "Erteilt am",
        "valid_until": "Gültig bis",
        "unlimited": "unbefristet",
        "withdrawn_at": "Widerrufen am",
        "expired_at": "Abgelaufen am",
        "status": "Status",
        "page": "Seite",
    },
    Language.EN: {
        "title": "Information on the disclosure of your data (Art. 15 GDPR)",
        "intro": (
            "This report shows which agencies received or read data from your case file, when, "
            "for what purpose and on which basis (your consent, a law or an emergency), and "
            "which consents you gave and withdrew. Times are German local time."
        ),
        "case": "Case",
        "generated": "Generated",
        "requested_by": "Prepared by",
        "as_dpo": "data-protection officer",
        "as_lead": "lead agency",
        "person": "Data subject",
        "no_name": "(filled in by hand once identity has been checked)",
        "agencies": "Agencies that received or read your data, or hold a consent",
        "received": "Disclosures to other agencies",
        "read": "Reads by other agencies",
        "inspections": "Inspections by supervisory bodies",
        "emergencies": "Emergency access to protect vital interests",
        "basis": "Legal basis",
        "justification": "Justification",
        "until": "until",
        "consents": "Your consents",
        "none": "None.",
        "when": "When",
        "agency": "Agency",
        "from": "from",
        "purpose": "Purpose",
        "purposes": "Purposes",
        "categories": "Data categories",
        "category": "Data category",
        "consent": "Consent",
        "period": "Period",
        "times": "Times",
        "role": "Role",
        "recipients": "Recipients",
        "given_on": "Given on",
        "valid_until": "Valid until",
        "unlimited": "no end date",
        "withdrawn_at": "Withdrawn on",
        "expired_at": "Expired on",
        "status": "Status",
        "page": "Page",
    },
}

VOCABULARY: Final[Mapping[Language, Mapping[str, str]]] = {
    Language.DE: {
        # categories
        "identity": "Identität",
        "contact": "Kontaktdaten",
        "residence": "Aufenthaltsstatus",
        "language": "Sprache und Kurse",
        "education": "Bildung und Anerkennung",
        "employment": "Beschäftigung",
        "family": "Familie",
        "integration_plan": "Integrationsplan",
        "counselling": "Beratung",
        "health": "Gesundheit",
        # purposes
        "case_management": "Fallmanagement",
        "language_course": "Sprachkurs",
        "qualification_recognition": "Anerkennung von Abschlüssen",
        "job_placement": "Arbeitsvermittlung",
        "social_benefits": "Sozialleistungen",
        "housing": "Wohnen",
        "childcare_schooling": "Kinderbetreuung und Schule",
        "residence_procedure": "Aufenthaltsverfahren",
        # statuses
        "active": "gültig",
        "pending": "noch nicht gültig",
        "withdrawn": "widerrufen",
        "expired": "abgelaufen",
        # roles
        "auditor": "Prüfung",
    },
    Language.EN: {
        "identity": "identity",
        "contact": "contact details",
        "residence": "residence status",
        "language": "language and courses",
        "education": "education and recognition",
        "employment": "employment",
        "family": "family",
        "integration_plan": "integration plan",
        "counselling": "counselling",
        "health": "health",
        "case_management": "case management",
        "language_course": "language course",
        "qualification_recognition": "recognition of qualifications",
        "job_placement": "job placement",
        "social_benefits": "social benefits",
        "housing": "housing",
        "childcare_schooling": "childcare and schooling",
        "residence_procedure": "residence procedure",
        "active": "valid",
        "pending": "not yet valid",
        "withdrawn": "withdrawn",
        "expired": "expired",
        "auditor": "audit",
    },
}


# Event types by their declared labels (how data was sent, in the report).
EVENT_LABELS: Final[Mapping[Language, Mapping[str, str]]] = {
    language: {name: getattr(t.declared.label, language.value) for name, t in CATALOGUE.items()}
    for language in Language
}


class Words:
    """Labels, vocabulary and date formats of one language."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.text = TEXT[language]
        self.vocabulary = {**VOCABULARY[language], **EVENT_LABELS[language]}

    def __getitem__(self, key: str) -> str:
        return self.text[key]

    def term(self, code: str) -> str:
        # "counselling" is a category and a purpose; both read the same.
        return self.vocabulary.get(code, code)

    def terms(self, codes: list[str]) -> str:
        return ", ".join(self.term(c) for c in codes)

    def day(self, value: date) -> str:
        return value.strftime("%d.%m.%Y" if self.language is Language.DE else "%Y-%m-%d")

    def moment(self, value: datetime) -> str:
        local = value.astimezone(LOCAL_TIME)
        return f"{self.day(local.date())} {local:%H:%M}"
