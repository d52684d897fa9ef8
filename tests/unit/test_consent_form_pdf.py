"""The consent declaration to sign: German first and binding, a translation on pages
of its own, agencies with how to reach them, lines to fill in by hand, signature lines,
the same bytes each time. (Every language: test_papers_in_languages.py.)"""

import io
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from coordination.adapters.reports.consent_form import ConsentPaper, render_consent_form
from coordination.adapters.reports.labels import Language, paper_languages
from tests.papers import CONSENT as PAPER
from tests.papers import pages, squeezed

DE, EN = [Language.DE], [Language.DE, Language.EN]
WITHDRAWAL = (
    "Sie können die Einwilligung jederzeit widerrufen. Der Widerruf gilt für die Zukunft. "
    "Die Weitergabe bis zum Widerruf bleibt rechtmäßig (Art. 7 Abs. 3 DSGVO)."
)


def printed(paper: ConsentPaper, languages: list[Language] = DE) -> str:
    return squeezed("\n".join(pages(render_consent_form(paper, languages))))


def test_the_german_version_names_the_person_recipients_purposes_and_categories() -> None:
    text = printed(PAPER)

    for expected in (
        "Einwilligung in die Weitergabe von Daten",
        "Name: Amina Haddad",
        "Geburtsdatum: 01.01.1990",
        "Fallnummer: c-2025-0042",
        "Aktenzeichen: ABH-2025-117",
        "Migrationsberatung Diakonie Mayen-Koblenz",
        "E-Mail: migrationsberatung@mbe-diakonie.example · Telefon: +49 261 0000-3160",
        "Volkshochschule Mayen-Koblenz",
        "E-Mail: integrationskurse@vhs-myk.example",
        "Beratung",
        "Sprachkurs",
        "Identität",
        "Kontaktdaten",
        "Die Einwilligung gilt ab 01.03.2025 bis 31.08.2027.",
        "Die Einwilligung ist freiwillig. Wenn Sie nicht einwilligen, entstehen Ihnen daraus "
        "keine Nachteile.",
        WITHDRAWAL,
        "Ihren Widerruf richten Sie an: Ausländerbehörde Mayen-Koblenz (E-Mail: "
        "auslaenderbehoerde@kreis-myk.example · Telefon: +49 261 0000-4400).",
        "Sie haben das Recht auf Auskunft (Art. 15 DSGVO).",
        "Unterschrift der betroffenen Person",
    ):
        assert squeezed(expected) in text, expected
    assert "Consent" not in text


def test_without_an_end_date_it_holds_until_withdrawn() -> None:
    text = printed(replace(PAPER, valid_until=None))

    assert squeezed("ab 01.03.2025, unbefristet, bis Sie widerrufen.") in text


def test_health_data_is_named_as_specially_protected() -> None:
    assert "Art.9DSGVO" not in printed(PAPER)
    assert "Art.9DSGVO" in printed(replace(PAPER, categories=["identity", "health"]))


def test_the_translation_is_in_the_first_of_the_person_s_languages_the_papers_print() -> None:
    assert paper_languages(["ar", "en"]) == [Language.DE, Language.AR]
    assert paper_languages(["ps", "fa", "en"]) == [Language.DE, Language.FA]
    assert paper_languages(["eng"]) == EN  # ISO 639-2 and 639-3 codes too
    assert paper_languages(["prs"]) == [Language.DE, Language.FA]  # Dari reads Persian
    assert paper_languages(["UK"]) == [Language.DE, Language.UK]
    assert paper_languages(["de", "ar"]) == DE  # German comes first: German alone
    assert paper_languages(["ps", "ti"]) == DE
    assert paper_languages([]) == DE


def test_the_english_translation_follows_on_its_own_pages_and_says_german_binds() -> None:
    texts = [squeezed(t) for t in pages(render_consent_form(PAPER, EN))]
    english = next(i for i, t in enumerate(texts) if t.startswith("Consenttothedisclosure"))
    german, translated = texts[:english], texts[english:]

    assert german[0].startswith(squeezed("Einwilligung in die Weitergabe von Daten"))
    assert all("Seite" in t and "Page" not in t for t in german)
    assert all("Page" in t and "Seite" not in t for t in translated)
    note = "This is a translation for your information. The German version is the binding one."
    assert squeezed(note) in translated[0]
    assert not any("translation" in t for t in german)
    english_text = "".join(translated)
    for expected in (
        "Name: Amina Haddad",
        "Your consent is voluntary.",
        "Disclosures made before the withdrawal remain lawful (Art. 7(3) GDPR).",
        "counselling",
        "contact details",
        "Signature of the person concerned",
    ):
        assert squeezed(expected) in english_text, expected


def test_without_a_name_the_paper_has_a_line_to_fill_in_by_hand() -> None:
    assert "Name:(vonHandeintragen)" in printed(replace(PAPER, person_name=None))
    assert "vonHandeintragen" not in printed(PAPER)
    english = printed(replace(PAPER, person_name=None), EN)
    assert "Name:(fillinbyhand)" in english


def test_a_legal_representative_gets_a_signature_line_of_their_own() -> None:
    text = printed(replace(PAPER, legal_representative="Fatima Haddad"))

    assert squeezed("Unterschrift der gesetzlichen Vertretung (Fatima Haddad)") in text
    assert "gesetzlichenVertretung" not in printed(PAPER)


def test_the_same_paper_prints_the_same_bytes_dated_when_prepared() -> None:
    first = render_consent_form(PAPER, EN)
    later = replace(PAPER, prepared_at=PAPER.prepared_at + timedelta(minutes=1))

    assert render_consent_form(PAPER, EN) == first
    assert render_consent_form(later, EN) != first
    assert PdfReader(io.BytesIO(first)).metadata.creation_date == PAPER.prepared_at  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["Олена Шевченко", "Γιώργος Παπαδόπουλος"])
def test_names_in_cyrillic_and_greek_print_as_written(name: str) -> None:
    assert squeezed(f"Name: {name}") in printed(replace(PAPER, person_name=name), EN)


def test_a_paper_needs_a_time_zone_and_a_language() -> None:
    with pytest.raises(ValueError, match="time zone"):
        replace(PAPER, prepared_at=datetime(2025, 3, 1, 9, 30))
    with pytest.raises(ValueError, match="language"):
        render_consent_form(PAPER, [])
