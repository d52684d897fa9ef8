"""Both printed papers as a reader sees them, read off page images (tests/rendered.py):
every document in every language it prints in renders each page with text on it, and
each version's first page reads in its language's direction, its title beginning with
the word it should; Arabic and Persian pages read right to left with their letters
joined. The Arabic and Persian consent form typeset wrongly on purpose, without
shaping, drawn left to right or aligned left, shows that each fault fails the check.

tests/unit/test_papers_in_languages.py checks the same papers' text and drawing
operations; the documents are shared with it, so each is typeset once.
"""

from collections.abc import Callable
from functools import cache

import pytest
from fpdf.bidi import BidiParagraph
from fpdf.enums import TextDirection
from PIL import Image

from coordination.adapters.reports import agreement, consent_form, pdf
from coordination.adapters.reports.consent_form import render_consent_form
from coordination.adapters.reports.labels import Language, Words
from coordination.adapters.reports.typesetting import Paper
from tests.papers import CONSENT
from tests.rendered import (
    LIKE,
    alignment,
    ink_above_the_foot,
    letters,
    likeness,
    lines,
    misread,
    page_count,
    pieces_on_the_baseline,
    render,
)
from tests.unit.test_papers_in_languages import DOCUMENTS, EVERY, printed

TITLES = {"consent-form": consent_form.TITLE, "disclosure-report": pdf.TITLE,
          "agreement": agreement.TITLE}  # fmt: skip
RIGHT_TO_LEFT = [Language.AR, Language.FA]


@cache
def page_image(document: str, language: Language, page: int) -> Image.Image:
    return render(printed(document, language), page)


def first_pages(document: str, language: Language) -> dict[Language, int]:
    """Where each version begins: German on the first page, the person's language on
    the page after the German version, which is the German paper alone."""
    if language is Language.DE:
        return {Language.DE: 0}
    return {Language.DE: 0, language: page_count(printed(document, Language.DE))}


@pytest.mark.parametrize(("document", "language"), EVERY)
def test_every_page_renders_with_text_and_each_version_reads_in_its_direction(
    document: str, language: Language
) -> None:
    content = printed(document, language)

    for page in range(page_count(content)):
        assert ink_above_the_foot(page_image(document, language, page)), f"page {page + 1}"
    for version, page in first_pages(document, language).items():
        title = Words(version)(TITLES[document])
        assert misread(page_image(document, language, page), version, title) == {}, version


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_arabic_and_persian_pages_read_right_to_left_with_joined_letters(
    document: str, language: Language
) -> None:
    page = first_pages(document, language)[language]
    ink = page_image(document, language, page)
    title = Words(language)(TITLES[document])
    heading = lines(ink)[0]

    # Flush with the right margin and ragged on the left, as the German page is the
    # other way round.
    aligned = alignment(ink, language)
    assert aligned.start >= 10
    assert aligned.end == 0
    german = alignment(page_image(document, language, 0), Language.DE)
    assert german.start >= 10
    assert german.end == 0
    # The title's first word at its right end, drawn as the font joins it.
    word = title.split()[0]
    assert likeness(ink, heading, word, language) >= LIKE, word
    # Joined: one piece on the baseline per group of joined letters, far fewer than
    # the letters.
    expected = letters(title)
    assert expected.groups < 0.7 * expected.alone
    assert abs(pieces_on_the_baseline(ink, heading) - expected.groups) <= 1


# Pages typeset wrongly on purpose: Paper.speak sets each version's shaping, direction
# and side; BidiParagraph orders a line's text for display.
def _unshaped(monkeypatch: pytest.MonkeyPatch) -> None:
    speak = Paper.speak

    def without_shaping(paper: Paper, words: Words) -> None:
        speak(paper, words)
        paper.set_text_shaping(False)

    monkeypatch.setattr(Paper, "speak", without_shaping)


def _left_to_right(monkeypatch: pytest.MonkeyPatch) -> None:
    def one_left_to_right_run(paragraph: BidiParagraph) -> tuple[tuple[str, TextDirection]]:
        return ((paragraph.text, TextDirection.LTR),)

    monkeypatch.setattr(BidiParagraph, "get_bidi_fragments", one_left_to_right_run)


def _aligned_left(monkeypatch: pytest.MonkeyPatch) -> None:
    speak = Paper.speak

    def on_the_left(paper: Paper, words: Words) -> None:
        speak(paper, words)
        paper.side = "L"

    monkeypatch.setattr(Paper, "speak", on_the_left)


TYPESET: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], set[str]]] = {
    "as printed": (lambda monkeypatch: None, set()),
    # Letters standing alone, in the order written, from the left: nothing joins.
    "without shaping": (_unshaped, {"joined", "first word"}),
    # Letters joined, but each line drawn from the left as if it read that way: the
    # title's right end shows its last word, its letters in the wrong order.
    "drawn left to right": (_left_to_right, {"first word"}),
    # Right to left and joined, but every line begins at the left margin.
    "aligned left": (_aligned_left, {"aligned"}),
}


@pytest.fixture
def typeset(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> set[str]:
    """Papers from here on are typeset as named; the checks that must fail them."""
    fault, failed_by = TYPESET[request.param]
    fault(monkeypatch)
    return failed_by


@pytest.mark.parametrize("language", RIGHT_TO_LEFT)
@pytest.mark.parametrize("typeset", list(TYPESET), indirect=True)
def test_the_check_passes_the_page_as_printed_and_fails_it_typeset_wrongly(
    typeset: set[str], language: Language
) -> None:
    content = render_consent_form(CONSENT, [language])  # the translation alone
    title = Words(language)(consent_form.TITLE)

    found = misread(render(content, 0), language, title)

    if typeset:
        assert typeset <= set(found), found
    else:
        assert found == {}
