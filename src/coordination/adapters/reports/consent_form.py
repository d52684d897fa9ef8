"""The consent declaration to sign (Einwilligungserklärung) as a printable PDF (fpdf2).

A caseworker prints it, the person reads and signs it, and the caseworker records
the consent with the evidence method "written". The German version comes first and
is the binding one; an English translation follows on pages of its own when the
person speaks English. Each version has its own signature lines, and the same
paper always prints the same bytes.

Set in the bundled DejaVu Sans, like the disclosure report, so names in Latin, Greek
or Cyrillic script print as written. Names in Arabic script do not: fpdf2 joins
Arabic letters and sets right-to-left text only with text shaping, which needs the
uharfbuzz package, and that is not installed. Such a name prints as unjoined letters
from left to right; print the Latin spelling of the passport instead.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import as_file, files
from typing import Final

from fpdf import FPDF

from coordination.adapters.reports.labels import Language, Words

FONT = "DejaVu"
BODY, SMALL = 10.0, 8.5
LINE = 5.0
LABEL_WIDTH = 36.0
BULLET_WIDTH = 5.0
FILL_HEIGHT, FILL_WIDTH = 8.0, 80.0  # room to write a name by hand
SECTION_GAP, SECTION_LINE = 3.0, 6.0
SIGN_ROOM = 14.0  # blank space above a signature line to sign in
PLACE_WIDTH, SIGN_GAP = 55.0, 10.0
ENGLISH = frozenset({"en", "eng"})  # ISO 639-1 and ISO 639-2/3

CONSENT_TEXT: Final[Mapping[Language, Mapping[str, str]]] = {
    Language.DE: {
        "title": "Einwilligung in die Weitergabe von Daten",
        "intro": (
            "Mit dieser Erklärung erlauben Sie, dass die unten genannten Stellen Daten aus "
            "Ihrer Fallakte erhalten. Die Stellen dürfen die Daten nur für die genannten Zwecke "
            "verwenden. Bitte lesen Sie den Text genau. Fragen Sie nach, wenn etwas unklar ist."
        ),
        "person": "Ihre Angaben",
        "name": "Name",
        "born": "Geburtsdatum",
        "case": "Fallnummer",
        "ref": "Aktenzeichen",
        "by_hand": "(von Hand eintragen)",
        "asked_by": "Wer bittet um Ihre Einwilligung?",
        "recipients": "Wer darf Ihre Daten erhalten?",
        "purposes": "Wofür dürfen die Daten verwendet werden?",
        "categories": "Welche Daten dürfen weitergegeben werden?",
        "health": (
            "Dazu gehören Angaben zu Ihrer Gesundheit. Diese Daten sind besonders geschützt "
            "(Art. 9 DSGVO). Ihre Einwilligung gilt ausdrücklich auch für diese Daten."
        ),
        "validity": "Wie lange gilt die Einwilligung?",
        "valid_until": "Die Einwilligung gilt ab {start} bis {end}.",
        "unlimited": "Die Einwilligung gilt ab {start}, unbefristet, bis Sie widerrufen.",
        "rights": "Ihre Rechte",
        "voluntary": (
            "Die Einwilligung ist freiwillig. Wenn Sie nicht einwilligen, entstehen Ihnen daraus "
            "keine Nachteile."
        ),
        "withdraw": (
            "Sie können die Einwilligung jederzeit widerrufen. Der Widerruf gilt für die Zukunft. "
            "Die Weitergabe bis zum Widerruf bleibt rechtmäßig (Art. 7 Abs. 3 DSGVO)."
        ),
        "withdraw_to": (
            "Ihren Widerruf richten Sie an: {agency}. Sie müssen den Widerruf nicht begründen. "
            "Sie können mündlich oder schriftlich widerrufen."
        ),
        "access": (
            "Sie haben das Recht auf Auskunft (Art. 15 DSGVO). Sie können jederzeit fragen, "
            "welche Daten über Sie gespeichert sind und wer sie erhalten hat."
        ),
        "declaration": "Erklärung",
        "consent": (
            "Ich habe diese Erklärung gelesen und verstanden. Ich willige in die oben "
            "beschriebene Weitergabe meiner Daten ein."
        ),
        "representative": (
            "Für die minderjährige Person willigt auch ihre gesetzliche Vertretung ein: {name}."
        ),
        "place_date": "Ort, Datum",
        "sign_person": "Unterschrift der betroffenen Person",
        "sign_representative": "Unterschrift der gesetzlichen Vertretung ({name})",
        "none": "Keine.",
        "footer": "Einwilligung · Fall {case} · Seite",
    },
    Language.EN: {
        "title": "Consent to the disclosure of data",
        "translation": (
            "This is a translation for your information. The German version is the binding one. "
            "By signing below, you confirm that you have read this translation."
        ),
        "intro": (
            "With this declaration you allow the agencies named below to receive data from your "
            "case file. They may use the data only for the purposes named. Please read the text "
            "carefully. Ask if anything is unclear."
        ),
        "person": "Your details",
        "name": "Name",
        "born": "Date of birth",
        "case": "Case number",
        "ref": "Reference",
        "by_hand": "(fill in by hand)",
        "asked_by": "Who is asking for your consent?",
        "recipients": "Who may receive your data?",
        "purposes": "For what purposes may the data be used?",
        "categories": "Which data may be passed on?",
        "health": (
            "This includes information about your health. These data are specially protected "
            "(Art. 9 GDPR). Your consent expressly covers these data too."
        ),
        "validity": "How long is the consent valid?",
        "valid_until": "The consent is valid from {start} until {end}.",
        "unlimited": "The consent is valid from {start}, with no end date, until you withdraw it.",
        "rights": "Your rights",
        "voluntary": (
            "Your consent is voluntary. If you do not consent, this will not put you at any "
            "disadvantage."
        ),
        "withdraw": (
            "You can withdraw your consent at any time. The withdrawal takes effect for the "
            "future. Disclosures made before the withdrawal remain lawful (Art. 7(3) GDPR)."
        ),
        "withdraw_to": (
            "Send your withdrawal to: {agency}. You do not have to give a reason. You can "
            "withdraw orally or in writing."
        ),
        "access": (
            "You have the right of access (Art. 15 GDPR). You can ask at any time which data "
            "about you is stored and who has received it."
        ),
        "declaration": "Declaration",
        "consent": (
            "I have read and understood this declaration. I consent to the disclosure of my "
            "data as described above."
        ),
        "representative": "For the minor, their legal representative also consents: {name}.",
        "place_date": "Place, date",
        "sign_person": "Signature of the person concerned",
        "sign_representative": "Signature of the legal representative ({name})",
        "none": "None.",
        "footer": "Consent · Case {case} · Page",
    },
}


@dataclass(frozen=True, slots=True)
class ConsentPaper:
    """What the printed declaration says; agency names and codes as the case page has them."""

    case_id: str
    person_name: str | None
    date_of_birth: date | None
    obtained_by: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    valid_until: date | None
    legal_representative: str | None
    prepared_at: datetime
    document_ref: str | None

    def __post_init__(self) -> None:
        # fpdf2 would read a naive time in the server's zone: the bytes would vary.
        if self.prepared_at.tzinfo is None:
            raise ValueError("prepared_at needs a time zone")


def paper_languages(person_languages: Sequence[str]) -> list[Language]:
    """German always first; English added when the person's ISO 639 codes include "en"."""
    if any(code.lower() in ENGLISH for code in person_languages):
        return [Language.DE, Language.EN]
    return [Language.DE]


def render_consent_form(paper: ConsentPaper, languages: Sequence[Language]) -> bytes:
    """One section per language, each starting on a new page, each with its own signature lines."""
    if not languages:
        raise ValueError("a consent form needs at least one language")
    pdf = _document(paper)
    for language in languages:
        _version(pdf, paper, _Words(language))
    return bytes(pdf.output())


class _Words(Words):
    """The report's vocabulary and date formats, with the sentences of the paper."""

    def __init__(self, language: Language) -> None:
        super().__init__(language)
        self.text = CONSENT_TEXT[language]


class _Paper(FPDF):
    words: _Words
    case_id: str

    def footer(self) -> None:
        # The case number on every page, so loose pages find their way back to the file.
        self.set_y(-12)
        self.set_font(FONT, "", SMALL)
        label = self.words["footer"].format(case=self.case_id)
        self.cell(0, 5, f"{label} {self.page_no()}/{{nb}}", align="C")


def _document(paper: ConsentPaper) -> _Paper:
    pdf = _Paper(format="A4")
    pdf.case_id = paper.case_id
    fonts = files("coordination.adapters.reports") / "fonts"
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        with as_file(fonts / name) as path:
            pdf.add_font(FONT, style, str(path))
    pdf.set_title(CONSENT_TEXT[Language.DE]["title"])
    pdf.set_lang(Language.DE.value)  # the binding version; translations follow it
    pdf.set_creation_date(paper.prepared_at)  # the same paper prints the same
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    return pdf


def _version(pdf: _Paper, paper: ConsentPaper, words: _Words) -> None:
    pdf.add_page()
    # Only after add_page: it prints the footer of the previous version's last page.
    pdf.words = words
    _heading(pdf, words)
    _person(pdf, paper, words)
    _section(pdf, words["asked_by"])
    _paragraph(pdf, paper.obtained_by)
    _section(pdf, words["recipients"])
    _bullets(pdf, paper.recipients, words)
    _section(pdf, words["purposes"])
    _bullets(pdf, [words.term(p) for p in paper.purposes], words)
    _categories(pdf, paper, words)
    _section(pdf, words["validity"])
    _paragraph(pdf, _validity(paper, words))
    _rights(pdf, paper, words)
    _signatures(pdf, paper, words)


def _heading(pdf: _Paper, words: _Words) -> None:
    pdf.set_font(FONT, "B", 15)
    _paragraph(pdf, words["title"], height=7.5)
    pdf.ln(1)
    if words.language is not Language.DE:
        pdf.set_font(FONT, "B", BODY)
        _paragraph(pdf, words["translation"])
        pdf.ln(1.5)
    pdf.set_font(FONT, "", BODY)
    _paragraph(pdf, words["intro"])


def _person(pdf: _Paper, paper: ConsentPaper, words: _Words) -> None:
    _section(pdf, words["person"])
    born = words.day(paper.date_of_birth) if paper.date_of_birth else None
    _field(pdf, words["name"], paper.person_name, words)
    _field(pdf, words["born"], born, words)
    _field(pdf, words["case"], paper.case_id, words)
    _field(pdf, words["ref"], paper.document_ref, words)


def _field(pdf: _Paper, label: str, value: str | None, words: _Words) -> None:
    """A label and its value; without a value, a line to fill in by hand."""
    height = LINE if value else FILL_HEIGHT
    pdf.set_font(FONT, "B", BODY)
    pdf.cell(LABEL_WIDTH, height, f"{label}:")
    pdf.set_font(FONT, "", BODY)
    if value:
        pdf.multi_cell(0, height, value, align="L", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.cell(FILL_WIDTH, height, "", border="B")
    pdf.set_font(FONT, "", SMALL)
    pdf.cell(0, height, f" {words['by_hand']}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", BODY)


def _categories(pdf: _Paper, paper: ConsentPaper, words: _Words) -> None:
    _section(pdf, words["categories"])
    _bullets(pdf, [words.term(c) for c in paper.categories], words)
    # Health data is a special category: the consent must name it explicitly.
    if "health" in paper.categories:
        pdf.ln(1)
        _paragraph(pdf, words["health"])


def _validity(paper: ConsentPaper, words: _Words) -> str:
    start = words.day(paper.given_on)
    if paper.valid_until is None:
        return words["unlimited"].format(start=start)
    return words["valid_until"].format(start=start, end=words.day(paper.valid_until))


def _rights(pdf: _Paper, paper: ConsentPaper, words: _Words) -> None:
    _section(pdf, words["rights"])
    for sentence in (
        words["voluntary"],
        words["withdraw"],
        words["withdraw_to"].format(agency=paper.obtained_by),
        words["access"],
    ):
        _paragraph(pdf, sentence)
        pdf.ln(1)


def _signatures(pdf: _Paper, paper: ConsentPaper, words: _Words) -> None:
    declaration = words["consent"]
    signers = [words["sign_person"]]
    if paper.legal_representative:
        name = paper.legal_representative
        declaration += " " + words["representative"].format(name=name)
        signers.append(words["sign_representative"].format(name=name))
    text_height = _height(pdf, declaration)
    # The declaration and its signatures stay on one page: a signature must not
    # stand alone on a page without the text it signs.
    heading = SECTION_GAP + SECTION_LINE
    if pdf.will_page_break(heading + text_height + len(signers) * (SIGN_ROOM + LINE)):
        pdf.add_page()
    _section(pdf, words["declaration"])
    _paragraph(pdf, declaration)
    for signer in signers:
        _signature_line(pdf, words["place_date"], signer)


def _height(pdf: _Paper, text: str) -> float:
    """How tall a paragraph will be, measured by fpdf2 without printing it."""
    height = pdf.multi_cell(0, LINE, text, dry_run=True, output="HEIGHT")
    assert isinstance(height, float)  # output="HEIGHT" returns the height alone
    return height


def _signature_line(pdf: _Paper, place_date: str, signer: str) -> None:
    """Room to write, then a ruled line with the label under it: place and date, signature."""
    pdf.ln(SIGN_ROOM)
    pdf.set_font(FONT, "", SMALL)
    pdf.cell(PLACE_WIDTH, LINE, place_date, border="T")
    pdf.set_x(pdf.get_x() + SIGN_GAP)
    pdf.cell(0, LINE, signer, border="T", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", BODY)


def _bullets(pdf: _Paper, items: Sequence[str], words: _Words) -> None:
    if not items:
        _paragraph(pdf, words["none"])
    for item in items:
        # The text wraps beside the bullet, under its own first line.
        pdf.cell(BULLET_WIDTH, LINE, "•")
        pdf.multi_cell(0, LINE, item, align="L", new_x="LMARGIN", new_y="NEXT")


def _section(pdf: _Paper, title: str) -> None:
    pdf.ln(SECTION_GAP)
    pdf.set_font(FONT, "B", 11)
    _paragraph(pdf, title, height=SECTION_LINE)
    pdf.set_font(FONT, "", BODY)


def _paragraph(pdf: _Paper, text: str, height: float = LINE) -> None:
    pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
