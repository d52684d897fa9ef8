"""The printed papers, the consent declaration, the disclosure report and the integration
agreement, in every language they print in: German first and binding, then the person's
language on pages of its own; agencies by name with how to reach them; Arabic and Persian
drawn right to left with their letters joined.

With COORDINATION_PAPERS=<folder> (`make papers`), the first page of each language's
version is also kept there as a PNG (pdftoppm, from poppler-utils).
"""
# ruff: noqa: RUF001 (Turkish and Cyrillic letters like Latin ones, written on purpose)

import inspect
import os
import subprocess
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image

from coordination.adapters import reports
from coordination.adapters.reports.agreement import render_agreement
from coordination.adapters.reports.consent_form import render_consent_form
from coordination.adapters.reports.labels import Language, paper_languages
from coordination.adapters.reports.pdf import render_report
from tests.glyphs import drawn_word, runs
from tests.papers import ABH, AGENCIES, AGREEMENT, CONSENT, MBE, REPORT, VHS, pages, squeezed

FONTS = Path(reports.__file__).parent / "fonts"
PAPERS = os.environ.get("COORDINATION_PAPERS")
A4_WIDTH, MARGIN = 595.28, 18 * 72 / 25.4  # points
ISOLATES = str.maketrans("", "", "\u2066\u2069")  # around numbers in right-to-left text

# Each document in a language: German alone, or German and the person's language.
DOCUMENTS: dict[str, Callable[[Language], bytes]] = {
    "consent-form": lambda language: render_consent_form(
        CONSENT, paper_languages([language.value])
    ),
    "disclosure-report": lambda language: render_report(REPORT, language, AGENCIES),
    "agreement": lambda language: render_agreement(AGREEMENT, paper_languages([language.value])),
}


@cache
def printed(document: str, language: Language) -> bytes:
    return DOCUMENTS[document](language)


# Written here, not read from the catalogues: what a reader of the language must find.
TITLES = {
    "consent-form": {
        Language.DE: "Einwilligung in die Weitergabe von Daten",
        Language.EN: "Consent to the disclosure of data",
        Language.AR: "الموافقة على نقل البيانات",
        Language.FA: "رضایت به انتقال اطلاعات",
        Language.TR: "Verilerin aktarılmasına rıza",
        Language.UK: "Згода на передачу даних",
        Language.RU: "Согласие на передачу данных",
    },
    "disclosure-report": {
        Language.DE: "Auskunft über die Weitergabe Ihrer Daten (Art. 15 DSGVO)",
        Language.EN: "Information on the disclosure of your data (Art. 15 GDPR)",
        Language.AR: "معلومات عن نقل بياناتك",
        Language.FA: "گزارش انتقال اطلاعات شما",
        Language.TR: "Verilerinizin aktarılmasına ilişkin bilgilendirme",
        Language.UK: "Інформація про передачу Ваших даних",
        Language.RU: "Информация о передаче Ваших данных",
    },
    "agreement": {
        Language.DE: "Integrationsvereinbarung",
        Language.EN: "Integration agreement",
        Language.AR: "اتفاقية الاندماج",
        Language.FA: "توافق‌نامه ادغام",
        Language.TR: "Uyum sözleşmesi",
        Language.UK: "Угода про інтеграцію",
        Language.RU: "Соглашение об интеграции",
    },
}
PHRASES = {
    "consent-form": {
        Language.DE: ["Ihre Rechte", "Unterschrift der betroffenen Person", "Art. 7 Abs. 3 DSGVO"],
        Language.EN: ["Your rights", "Signature of the person concerned", "Art. 7(3) GDPR"],
        Language.AR: ["حقوقك", "من يطلب موافقتك؟", "النص الألماني هو النص الملزم"],
        Language.FA: ["حقوق شما", "چه کسی از شما رضایت می‌خواهد؟", "متن آلمانی متن الزام‌آور است"],
        Language.TR: ["Haklarınız", "İlgili kişinin imzası", "Bağlayıcı olan Almanca metindir"],
        Language.UK: ["Ваші права", "Підпис особи, якої стосуються дані", "ч. 3 ст. 7"],
        Language.RU: ["Ваши права", "Подпись лица, к которому относятся данные", "ч. 3 ст. 7"],
    },
    "disclosure-report": {
        Language.DE: ["Weitergaben an andere Stellen", "Ihre Einwilligungen", "widerrufen"],
        Language.EN: ["Disclosures to other agencies", "Your consents", "withdrawn"],
        Language.AR: ["نقل البيانات إلى جهات أخرى", "موافقاتك", "الأساس القانوني"],
        Language.FA: ["انتقال اطلاعات به نهادهای دیگر", "رضایت‌های شما", "مبنای قانونی"],
        Language.TR: ["Diğer kurumlara yapılan aktarımlar", "Rızalarınız", "geri alındı"],
        Language.UK: ["Передача даних іншим установам", "Ваші згоди", "відкликана"],
        Language.RU: ["Передача данных другим учреждениям", "Ваши согласия", "отозвано"],
    },
    "agreement": {
        Language.DE: ["Wozu Sie sich verpflichten", "Was die Stellen Ihnen anbieten",
                      "erfüllt am 28.09.2026", "Unterschrift für Volkshochschule Mayen-Koblenz"],
        Language.EN: ["What you commit to", "What the agencies offer", "met on 2026-09-28",
                      "I have received a copy of this agreement."],
        Language.AR: ["ما تلتزم به", "ما تقدمه لك الجهات", "استلمت نسخة من هذه الاتفاقية"],
        Language.FA: ["آنچه شما متعهد می‌شوید", "آنچه نهادها به شما ارائه می‌دهند", "امضاها"],
        Language.TR: ["Yükümlülükleriniz", "Kurumların size sundukları", "İmzalar"],
        Language.UK: ["Ваші зобов’язання", "Що пропонують Вам установи", "Підписи"],
        Language.RU: ["Ваши обязательства", "Что предлагают Вам учреждения", "Подписи"],
    },
}  # fmt: skip
PAGE = {Language.DE: "Seite", Language.EN: "Page", Language.AR: "الصفحة",
        Language.FA: "صفحه", Language.TR: "Sayfa", Language.UK: "Сторінка",
        Language.RU: "Страница"}  # fmt: skip
# Words whose every letter joins its neighbours: each must be drawn in a joined form.
JOINED = {Language.AR: "بياناتك", Language.FA: "شما"}
EVERY = [(document, language) for document in DOCUMENTS for language in Language]


def versions(content: bytes, language: Language) -> tuple[str, str]:
    """The German pages and the translation's, each as one text: the translation's
    pages are those whose foot counts pages in its language."""
    texts = [t.translate(ISOLATES) for t in pages(content)]
    first = next((i for i, t in enumerate(texts) if PAGE[Language.DE] not in t), len(texts))
    return "\n".join(texts[:first]), "\n".join(texts[first:])


@pytest.mark.parametrize(("document", "language"), EVERY)
def test_german_comes_first_then_the_person_s_language_on_pages_of_its_own(
    document: str, language: Language
) -> None:
    content = printed(document, language)
    german, translated = versions(content, language)

    _keep_image(content, document, language, german)
    assert squeezed(german).startswith(squeezed(TITLES[document][Language.DE]))
    for phrase in PHRASES[document][Language.DE]:
        assert squeezed(phrase) in squeezed(german), phrase
    if language is Language.DE:
        assert translated == ""
        return
    assert translated, "no pages in the person's language"
    for phrase in [TITLES[document][language], *PHRASES[document][language]]:
        assert squeezed(phrase) in squeezed(translated), phrase
    assert PAGE[language] in translated
    assert PAGE[Language.DE] not in translated
    assert squeezed(TITLES[document][language]) not in squeezed(german)


@pytest.mark.parametrize(("document", "language"), EVERY)
def test_agencies_are_named_with_how_to_reach_them_and_never_by_id(
    document: str, language: Language
) -> None:
    text = "\n".join(pages(printed(document, language))).translate(ISOLATES)
    shown = squeezed(text)

    named = {"consent-form": ("abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz",
                              "vhs-mayen-koblenz"),
             "disclosure-report": tuple(AGENCIES),
             "agreement": (ABH, MBE, VHS)}[document]  # fmt: skip
    for agency_id in named:
        agency = AGENCIES[agency_id]
        versions_shown = 1 if language is Language.DE else 2
        assert shown.count(squeezed(agency.name)) >= versions_shown, agency.name
        for way in (agency.email, agency.phone):
            assert way is None or squeezed(way) in shown, way
        assert agency_id not in text


@pytest.mark.parametrize("language", [Language.AR, Language.FA])
@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_arabic_script_is_drawn_right_to_left_joined_and_aligned_right(
    document: str, language: Language
) -> None:
    content = printed(document, language)
    page = _first_page_of(content, language)
    drawn = runs(content, page)
    word = JOINED[language]

    glyphs = drawn_word(drawn, word)
    # Drawn from right to left: the glyphs, left to right, are the word's last letter first.
    assert glyphs is not None, f"{word} is not drawn right to left"
    # Joined: no letter drawn as it stands alone (the font's glyph for the character);
    # each takes its initial, medial or final form.
    alone = _nominal_glyphs(word)
    assert [g.name for g in glyphs if g.name in alone] == []
    # Aligned right: the title's line ends at the right margin, within the cell's padding.
    title = [r for r in drawn if r.y == drawn[0].y]
    assert 0 < A4_WIDTH - MARGIN - max(r.end_x for r in title) < 4


def test_german_is_aligned_left_and_an_arabic_name_in_it_is_joined_too() -> None:
    content = render_consent_form(replace(CONSENT, person_name="سمير حداد"), [Language.DE])
    drawn = runs(content, 0)

    assert drawn[0].start_x - MARGIN < 4  # the title, at the left margin
    glyphs = drawn_word(drawn, "سمير")
    assert glyphs is not None
    assert [g.name for g in glyphs if g.name in _nominal_glyphs("سمير")] == []


def test_right_to_left_papers_print_the_same_bytes_each_time() -> None:
    for render in DOCUMENTS.values():
        assert render(Language.FA) == render(Language.FA)


def test_the_fpdf2_method_the_papers_override_is_as_they_expect() -> None:
    # typesetting.Paper wraps this private method to set the font for the page before
    # a line (fpdf2 2.8.9). A release that renames it or changes its parameters would
    # leave the wrapper unused: read the release's line rendering, then update this pin.
    assert list(inspect.signature(FPDF._render_styled_text_line).parameters) == [
        "self", "text_line", "h", "border", "new_x", "new_y", "fill", "link", "center",
        "padding", "prevent_font_change",
    ]  # fmt: skip


def _first_page_of(content: bytes, language: Language) -> int:
    """The first page with text in Arabic script and the language's foot."""
    texts = pages(content)
    return next(i for i, t in enumerate(texts) if PAGE[language] in t and PAGE[Language.DE] not in t
                and any(r.font.startswith("NotoSansArabic") for r in runs(content, i)))  # fmt: skip


def _nominal_glyphs(word: str) -> set[str]:
    """The glyphs the bundled font gives the word's characters standing alone."""
    return {_cmap()[ord(c)] for c in word}


@cache
def _cmap() -> dict[int, str]:
    cmap: dict[int, str] = TTFont(FONTS / "NotoSansArabic-Regular.ttf").getBestCmap()
    return cmap


def _keep_image(content: bytes, document: str, language: Language, german: str) -> None:
    """With COORDINATION_PAPERS set: the first page of the language's version as a PNG,
    at 100 dpi in eight shades of grey (a page of text needs no more)."""
    if not PAPERS:
        return
    folder = Path(PAPERS)
    folder.mkdir(parents=True, exist_ok=True)
    pdf, png = folder / f"{document}-{language.value}.pdf", folder / f"{document}-{language.value}"
    pdf.write_bytes(content)
    page = str(1 if language is Language.DE else german.count(PAGE[Language.DE]) + 1)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", "-f", page, "-l", page,
                    str(pdf), str(png)], check=True)  # fmt: skip
    pdf.unlink()
    image = Image.open(f"{png}.png").convert("L").quantize(8)
    image.save(f"{png}.png", optimize=True)
