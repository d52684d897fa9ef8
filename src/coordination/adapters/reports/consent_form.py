"""The consent declaration to sign (Einwilligungserklärung) as a printable PDF (fpdf2).

A caseworker prints it, the person reads and signs it, and the caseworker records
the consent with the evidence method "written". The German version comes first and
is the binding one; a translation into the person's language follows on pages of its
own. Each version has its own signature lines, and the same paper always prints the
same bytes. Agencies are named as the directory names them, with how to reach them:
the person must know whom they allow, and whom to tell when they withdraw.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from coordination.adapters.reports.agencies import AgencyContact, with_contact
from coordination.adapters.reports.form_parts import (
    SECTION,
    SIGN_ROOM,
    field,
    height_of,
    label_width,
    signature_line,
    with_contact_below,
)
from coordination.adapters.reports.labels import N_, Language, Words
from coordination.adapters.reports.typesetting import BODY, LINE, TRANSLATED, Paper

TITLE = N_("Consent to the disclosure of data")


@dataclass(frozen=True, slots=True)
class ConsentPaper:
    """What the printed declaration says; agencies as the directory names them."""

    case_id: str
    person_name: str | None
    date_of_birth: date | None
    obtained_by: AgencyContact
    recipients: list[AgencyContact]
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


def render_consent_form(paper: ConsentPaper, languages: Sequence[Language]) -> bytes:
    """One section per language, each starting on a new page, each with its own signature lines."""
    if not languages:
        raise ValueError("a consent form needs at least one language")
    pdf = _Form(paper)
    for language in languages:
        _version(pdf, paper, Words(language))
    return bytes(pdf.output())


class _Form(Paper):
    def __init__(self, paper: ConsentPaper) -> None:
        self.case_id = paper.case_id
        super().__init__(Words(Language.DE)(TITLE), paper.prepared_at)

    def foot(self, page: str) -> str:
        # The case number on every page, so loose pages find their way back to the file.
        case = self.words.code(self.case_id)
        return self.words("Consent · Case %(case)s · Page %(page)s", case=case, page=page)


def _version(pdf: _Form, paper: ConsentPaper, words: Words) -> None:
    pdf.add_page()
    # Only after add_page: it prints the footer of the previous version's last page.
    pdf.speak(words)
    _heading(pdf, words)
    _person(pdf, paper, words)
    pdf.section(words("Who is asking for your consent?"))
    pdf.paragraph(with_contact_below(paper.obtained_by, words))
    pdf.section(words("Who may receive your data?"))
    pdf.bullets([with_contact_below(a, words) for a in paper.recipients])
    pdf.section(words("For what purposes may the data be used?"))
    pdf.bullets([words.term(p) for p in paper.purposes])
    _categories(pdf, paper, words)
    pdf.section(words("How long is the consent valid?"))
    pdf.paragraph(_validity(paper, words))
    _rights(pdf, paper, words)
    _signatures(pdf, paper, words)


def _heading(pdf: Paper, words: Words) -> None:
    pdf.use_font(15, bold=True)
    pdf.paragraph(words(TITLE), height=7.5)
    pdf.ln(1)
    if words.language is not Language.DE:
        pdf.use_font(BODY, bold=True)
        signed = words("By signing below, you confirm that you have read this translation.")
        pdf.paragraph(f"{words(TRANSLATED)} {signed}")
        pdf.ln(1.5)
    pdf.use_font(BODY)
    pdf.paragraph(words(
        "With this declaration you allow the agencies named below to receive data from your "
        "case file. They may use the data only for the purposes named. Please read the text "
        "carefully. Ask if anything is unclear."
    ))  # fmt: skip


def _person(pdf: Paper, paper: ConsentPaper, words: Words) -> None:
    pdf.section(words("Your details"))
    born = words.day(paper.date_of_birth) if paper.date_of_birth else None
    ref = words.code(paper.document_ref) if paper.document_ref else None
    fields = [
        (words("Name"), paper.person_name),
        (words("Date of birth"), born),
        (words("Case number"), words.code(paper.case_id)),
        (words("Reference"), ref),
    ]
    width = label_width(pdf, [label for label, _ in fields])
    for label, value in fields:
        field(pdf, label, value, width)


def _categories(pdf: Paper, paper: ConsentPaper, words: Words) -> None:
    pdf.section(words("Which data may be passed on?"))
    pdf.bullets([words.term(c) for c in paper.categories])
    # Health data is a special category: the consent must name it explicitly.
    if "health" in paper.categories:
        pdf.ln(1)
        pdf.paragraph(words(
            "This includes information about your health. These data are specially protected "
            "(Art. 9 GDPR). Your consent expressly covers these data too."
        ))  # fmt: skip


def _validity(paper: ConsentPaper, words: Words) -> str:
    start = words.day(paper.given_on)
    if paper.valid_until is None:
        return words(
            "The consent is valid from %(start)s, with no end date, until you withdraw it.",
            start=start,
        )
    end = words.day(paper.valid_until)
    return words("The consent is valid from %(start)s until %(end)s.", start=start, end=end)


def _rights(pdf: Paper, paper: ConsentPaper, words: Words) -> None:
    pdf.section(words("Your rights"))
    agency = with_contact(paper.obtained_by, words)
    for sentence in (
        words("Your consent is voluntary. If you do not consent, this will not put you at any "
              "disadvantage."),
        words("You can withdraw your consent at any time. The withdrawal takes effect for the "
              "future. Disclosures made before the withdrawal remain lawful (Art. 7(3) GDPR)."),
        words("Send your withdrawal to: %(agency)s. You do not have to give a reason. You can "
              "withdraw orally or in writing.", agency=agency),
        words("You have the right of access (Art. 15 GDPR). You can ask at any time which data "
              "about you is stored and who has received it."),
    ):  # fmt: skip
        pdf.paragraph(sentence)
        pdf.ln(1)


def _signatures(pdf: Paper, paper: ConsentPaper, words: Words) -> None:
    declaration = words(
        "I have read and understood this declaration. I consent to the disclosure of my "
        "data as described above."
    )
    signers = [words("Signature of the person concerned")]
    if paper.legal_representative:
        name = paper.legal_representative
        declaration += " " + words(
            "For the minor, their legal representative also consents: %(name)s.", name=name
        )
        signers.append(words("Signature of the legal representative (%(name)s)", name=name))
    # The declaration and its signatures stay on one page: a signature must not
    # stand alone on a page without the text it signs.
    needed = SECTION + height_of(pdf, declaration) + len(signers) * (SIGN_ROOM + LINE)
    if pdf.will_page_break(needed):
        pdf.add_page()
    pdf.section(words("Declaration"))
    pdf.paragraph(declaration)
    for signer in signers:
        signature_line(pdf, words("Place, date"), signer)
