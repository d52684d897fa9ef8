"""The words of the papers (the consent declaration, the disclosure report) in each
language they print in, from message catalogues a translator edits.

The English text in the code is the message id; every other language has a catalogue,
`locale/<lang>/LC_MESSAGES/papers.po`, compiled in memory when it is first needed, so
no compiled `.mo` file is kept beside it. German is a catalogue too: the binding
wording of the papers is edited there, not in the code.

Codes (purposes, categories, statuses, event types) are printed in words; consent ids
and case numbers as they are, so the person can refer to them.
"""

import gettext
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import Final

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from consent.record import LOCAL_TIME
from coordination.domain.catalogue import CATALOGUE

LOCALE = files("coordination.adapters.reports") / "locale"
DOMAIN = "papers"


class Language(StrEnum):
    """The languages the papers print in (ISO 639-1): German, and those most often
    spoken by the people the agencies counsel."""

    DE = "de"
    EN = "en"
    AR = "ar"
    FA = "fa"
    TR = "tr"
    UK = "uk"
    RU = "ru"

    @property
    def rtl(self) -> bool:
        """Written right to left (Arabic script)."""
        return self in (Language.AR, Language.FA)

    @property
    def autonym(self) -> str:
        """The language's name in itself, from the CLDR data Babel carries: "العربية"."""
        name = Locale.parse(self.value).get_display_name(self.value) or self.value
        return name[:1].upper() + name[1:]


# ISO 639-2 and 639-3 codes a case may carry for the same languages (the contract takes
# two or three letters). Dari (prs) and Iranian Persian (pes) read the Persian paper.
ALIASES: Final = {
    "deu": Language.DE, "ger": Language.DE, "eng": Language.EN, "ara": Language.AR,
    "fas": Language.FA, "per": Language.FA, "prs": Language.FA, "pes": Language.FA,
    "tur": Language.TR, "ukr": Language.UK, "rus": Language.RU,
}  # fmt: skip


def N_(message: str) -> str:  # noqa: N802 (gettext's marker for Babel's extraction)
    """Marks a message to translate later, where it is only named."""
    return message


# The vocabulary of consents as the papers print it: "counselling" is a category and a
# purpose, and reads the same as both.
TERMS: Final = {
    "identity": N_("identity"),
    "contact": N_("contact details"),
    "residence": N_("residence status"),
    "language": N_("language and courses"),
    "education": N_("education and recognition"),
    "employment": N_("employment"),
    "family": N_("family"),
    "integration_plan": N_("integration plan"),
    "counselling": N_("counselling"),
    "health": N_("health"),
    "case_management": N_("case management"),
    "language_course": N_("language course"),
    "qualification_recognition": N_("recognition of qualifications"),
    "job_placement": N_("job placement"),
    "social_benefits": N_("social benefits"),
    "housing": N_("housing"),
    "childcare_schooling": N_("childcare and schooling"),
    "residence_procedure": N_("residence procedure"),
    # consent statuses
    "active": N_("valid"),
    "pending": N_("not yet valid"),
    "withdrawn": N_("withdrawn"),
    "expired": N_("expired"),
    # the role of an inspection
    "auditor": N_("audit"),
}
# How a day is written (strftime), a message like any other: 01.09.2026, 2026-09-01 …
DAY_FORMAT: Final = N_("%Y-%m-%d")


def paper_language(person_languages: Sequence[str]) -> Language:
    """The first of the person's languages (ISO 639 codes, in their order) that the
    papers print in; German when there is none."""
    for code in person_languages:
        found = _language(code.strip().lower())
        if found is not None:
            return found
    return Language.DE


def day_of(value: object) -> date | None:
    """A day as a case's view holds it (a date, or its ISO text); None for anything else."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def paper_languages(person_languages: Sequence[str]) -> list[Language]:
    """German first, as the binding version; then the person's language, if another."""
    language = paper_language(person_languages)
    return [Language.DE] if language is Language.DE else [Language.DE, language]


def _language(code: str) -> Language | None:
    if code in ALIASES:
        return ALIASES[code]
    return next((language for language in Language if language.value == code), None)


@cache
def translations(language: Language) -> gettext.NullTranslations:
    """The language's catalogue, compiled in memory; English is the messages as written."""
    if language is Language.EN:
        return gettext.NullTranslations()
    po = LOCALE / language.value / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=language.value, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Words:
    """The messages, vocabulary and date formats of one language."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self._gettext = translations(language).gettext

    def __call__(self, message: str, **values: str) -> str:
        """The message in this language, its %(name)s placeholders filled in."""
        text = self._gettext(message)
        return text % values if values else text

    def term(self, code: str) -> str:
        """A code of the vocabulary or an event type in words; an unknown code as it is."""
        if code in TERMS:
            return self(TERMS[code])
        if code in CATALOGUE:  # German and English are declared on the event itself
            label = CATALOGUE[code].declared.label
            return label.de if self.language is Language.DE else self(label.en)
        return code

    def code(self, text: str) -> str:
        """An id, phone number or address as written. In right-to-left text it is set
        apart (a left-to-right isolate), so "+49 261 000" does not turn into
        "000 261 +49" by the rules that order the numbers of Arabic text."""
        return f"\u2066{text}\u2069" if self.language.rtl else text

    def terms(self, codes: Sequence[str]) -> str:
        return self.listed([self.term(c) for c in codes])

    def listed(self, items: Sequence[str]) -> str:
        """Items one after another, parted by the language's comma (Arabic script's "،")."""
        return ("\u060c " if self.language.rtl else ", ").join(items)

    def day(self, value: date) -> str:
        return value.strftime(self(DAY_FORMAT))

    def moment(self, value: datetime) -> str:
        local = value.astimezone(LOCAL_TIME)
        return f"{self.day(local.date())} {local:%H:%M}"
