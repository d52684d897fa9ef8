"""The papers' message catalogues (adapters/reports/locale/<lang>/LC_MESSAGES/papers.po):
each language but English translates every message the papers print, keeps its
placeholders, and carries no message the papers no longer print."""

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from coordination.adapters import reports
from coordination.adapters.reports.labels import Language, Words, translations
from coordination.domain.case.event import Event
from coordination.domain.catalogue import CATALOGUE

REPORTS = Path(reports.__file__).parent
KEYWORDS = {"words": None, "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TRANSLATED = [language for language in Language if language is not Language.EN]


def printed_messages() -> set[str]:
    """What Babel extracts from the papers' code, and the names of the event types that
    send data to an agency (a disclosure's row names its event type)."""
    found = {m[1] for path in REPORTS.glob("*.py")
             for m in extract_from_file("python", path, KEYWORDS)}  # fmt: skip
    return found | {t.declared.label.en for t in CATALOGUE.values() if _discloses(t.event)}


def _discloses(event: type) -> bool:
    """Declares the data it sends (overrides Event.flows)."""
    return issubclass(event, Event) and any(
        "flows" in vars(cls) for cls in event.__mro__ if cls is not Event and issubclass(cls, Event)
    )


def catalogue(language: Language) -> Catalog:
    po = REPORTS / "locale" / language.value / "LC_MESSAGES" / "papers.po"
    with po.open("rb") as f:
        return read_po(f, locale=language.value)


def test_the_papers_print_messages_and_event_types_by_their_english_text() -> None:
    wanted = printed_messages()

    assert {"Your rights", "Page %(page)s", "identity", "%Y-%m-%d", "referral"} <= wanted
    assert {"What you commit to", "Signature for %(agency)s", "orientation"} <= wanted  # agreement
    assert "consent given" not in wanted  # an event type that sends nothing


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalogue_translates_every_message_the_papers_print(language: Language) -> None:
    found = catalogue(language)
    translated = {m.id: m.string for m in found if m.id and m.string and not m.fuzzy}

    missing = sorted(printed_messages() - translated.keys())
    stale = sorted({m.id for m in found if m.id} - printed_messages())
    assert (missing, stale) == ([], [])


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders_and_write_days_as_days(language: Language) -> None:
    for message in catalogue(language):
        if message.id:
            assert set(PLACEHOLDER.findall(message.string)) == set(
                PLACEHOLDER.findall(str(message.id))
            ), message.id
    day = Words(language).day(date(2026, 9, 1))
    assert {"2026", "09", "01"} <= set(re.findall(r"\d+", day)), day


def test_english_is_the_messages_as_written_and_german_its_catalogue() -> None:
    assert Words(Language.EN)("Your rights") == "Your rights"
    assert Words(Language.DE)("Your rights") == "Ihre Rechte"
    assert Words(Language.AR)("Page %(page)s", page="2/3") == "الصفحة 2/3"
    assert Words(Language.DE).term("qualification_recognition") == "Anerkennung von Abschlüssen"
    assert Words(Language.TR).term("ReferralSent") == "yönlendirme"
    assert Words(Language.RU).term("no-such-code") == "no-such-code"
    assert Words(Language.DE).day(date(2026, 9, 1)) == "01.09.2026"
    assert translations(Language.FA) is translations(Language.FA)  # compiled once
