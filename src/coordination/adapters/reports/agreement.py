"""The integration agreement (Integrationsvereinbarung) as a printable PDF (fpdf2), for the
person and each agency that concludes or signs it to sign.

"Fordern und Fördern": what the person commits to and what the agencies offer stand in
sections of their own, each step with its due date, its plan area and the agency that
follows it up or offers it. The paper shows the agreement as it stands: a cancelled step
is left out, a met one is marked met. German comes first and is the binding version; the
person's language follows on pages of its own, with its own signature lines, as on the
consent declaration. Agencies are named as the directory names them, with how to reach
them, and the same paper always prints the same bytes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from coordination.adapters.reports.agencies import AgencyContact
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
from coordination.domain.values import Need, PlanArea

TITLE = N_("Integration agreement")
# What the person may need, in words. Health-related needs are not among them: they are
# recorded apart (Art. 9 GDPR) and never printed.
NEEDS: Final[dict[str, str]] = {
    Need.LANGUAGE_COURSE: N_("language course"),
    Need.RECOGNITION: N_("recognition of qualifications"),
    Need.CHILDCARE: N_("childcare"),
    Need.SCHOOL: N_("school"),
    Need.HOUSING: N_("housing"),
    Need.WORK: N_("work"),
    Need.COUNSELLING: N_("counselling"),
}
AREAS: Final[dict[str, str]] = {
    PlanArea.ORIENTATION: N_("orientation"),
    PlanArea.LANGUAGE: N_("language"),
    PlanArea.EDUCATION: N_("education"),
    PlanArea.WORK: N_("work"),
    PlanArea.HOUSING: N_("housing"),
}
NO_VALUE = "\u2013"  # an en dash: none given
# The steps' columns (mm, 174 across the page): the step, by when, its plan area, who
# follows it up (the person's steps only), and whether it was met.
PERSON_COLUMNS = (56.0, 22.0, 26.0, 44.0, 26.0)
AGENCY_COLUMNS = (94.0, 22.0, 32.0, 26.0)
ROW = 6.0  # a table's row of one line, about


@dataclass(frozen=True, slots=True)
class Step:
    """One obligation as printed: what, by when, in which plan area (a `PlanArea` code),
    the agency that follows it up (the person's) or offers it (an agency's), and the day
    it was met."""

    title: str
    due_on: date
    area: str | None
    agency: AgencyContact
    met_on: date | None = None


@dataclass(frozen=True, slots=True)
class AgreementPaper:
    """What the printed agreement says; agencies as the directory names them. Its steps
    are those not cancelled: the person's (`commitments`) and the agencies' (`offers`,
    in the order they are printed, an agency's together)."""

    case_id: str
    person_name: str | None
    date_of_birth: date | None
    concluded_by: AgencyContact
    parties: list[AgencyContact]  # the other agencies that sign it
    signed_on: date
    language_level: str | None  # of German
    brings: str | None  # languages, schooling, qualifications, work experience, in words
    needs: list[str]  # `Need` codes
    commitments: list[Step]
    offers: list[Step]
    next_review_on: date | None
    ended_on: date | None
    prepared_at: datetime

    def __post_init__(self) -> None:
        # fpdf2 would read a naive time in the server's zone: the bytes would vary.
        if self.prepared_at.tzinfo is None:
            raise ValueError("prepared_at needs a time zone")

    @property
    def signers(self) -> list[AgencyContact]:
        return [self.concluded_by, *self.parties]

    @property
    def agencies(self) -> list[AgencyContact]:
        """Every agency the agreement names, each once: those that sign it first."""
        named = [*self.signers, *(s.agency for s in [*self.commitments, *self.offers])]
        return list(dict.fromkeys(named))


def render_agreement(paper: AgreementPaper, languages: Sequence[Language]) -> bytes:
    """One version per language, each starting on a new page with its own signature lines."""
    if not languages:
        raise ValueError("an agreement needs at least one language")
    pdf = _Agreement(paper)
    for language in languages:
        pdf.add_page()
        # Only after add_page: it prints the footer of the previous version's last page.
        pdf.speak(Words(language))
        _version(pdf, paper, pdf.words)
    return bytes(pdf.output())


class _Agreement(Paper):
    def __init__(self, paper: AgreementPaper) -> None:
        self.case_id = paper.case_id
        super().__init__(Words(Language.DE)(TITLE), paper.prepared_at)

    def foot(self, page: str) -> str:
        # The case number on every page, so loose pages find their way back to the file.
        case = self.words.code(self.case_id)
        return self.words(
            "Integration agreement · Case %(case)s · Page %(page)s", case=case, page=page
        )


def _version(pdf: Paper, paper: AgreementPaper, words: Words) -> None:
    _heading(pdf, paper, words)
    _details(pdf, paper, words)
    pdf.section(words("Agencies in this agreement"))
    pdf.bullets([with_contact_below(a, words) for a in paper.agencies])
    _brings(pdf, paper, words)
    pdf.section(words("What you need"))
    pdf.bullets([_term(NEEDS, need, words) for need in paper.needs])
    _commitments(pdf, paper, words)
    _offers(pdf, paper, words)
    pdf.section(words("Review"))
    pdf.paragraph(_review(paper, words))
    _signatures(pdf, paper, words)


def _heading(pdf: Paper, paper: AgreementPaper, words: Words) -> None:
    pdf.use_font(15, bold=True)
    pdf.paragraph(words(TITLE), height=7.5)
    pdf.ln(1)
    if words.language is not Language.DE:
        pdf.use_font(BODY, bold=True)
        signed = words("By signing below, you confirm that you have read this translation.")
        pdf.paragraph(f"{words(TRANSLATED)} {signed}")
        pdf.ln(1.5)
    if paper.ended_on:
        pdf.use_font(BODY, bold=True)
        pdf.paragraph(words("This agreement ended on %(day)s.", day=words.day(paper.ended_on)))
        pdf.ln(1.5)
    pdf.use_font(BODY)
    pdf.paragraph(words(
        "In this agreement, you and the agencies named below write down what you bring, what "
        "you need and what each side will do by when. The agencies named in it receive this "
        "agreement and may use your data in it only to carry it out. Please read it carefully. "
        "Ask if anything is unclear."
    ))  # fmt: skip


def _details(pdf: Paper, paper: AgreementPaper, words: Words) -> None:
    pdf.section(words("Your details"))
    born = words.day(paper.date_of_birth) if paper.date_of_birth else None
    fields = [
        (words("Name"), paper.person_name),
        (words("Date of birth"), born),
        (words("Case number"), words.code(paper.case_id)),
        (words("Agreed on"), words.day(paper.signed_on)),
        (words("As of"), words.moment(paper.prepared_at)),
    ]
    width = label_width(pdf, [label for label, _ in fields])
    for label, value in fields:
        field(pdf, label, value, width)


def _brings(pdf: Paper, paper: AgreementPaper, words: Words) -> None:
    pdf.section(words("What you bring"))
    if paper.language_level:
        level = words.code(paper.language_level)
        pdf.paragraph(words("German language level: %(level)s", level=level))
    if paper.brings:
        pdf.paragraph(paper.brings)
    if not (paper.language_level or paper.brings):
        pdf.paragraph(words("Not recorded."))


def _commitments(pdf: Paper, paper: AgreementPaper, words: Words) -> None:
    pdf.section(words("What you commit to"))
    pdf.paragraph(words(
        "You commit to these steps. The agency named with each step supports you and follows "
        "it up with you."
    ))  # fmt: skip
    pdf.ln(1.5)
    headings = [words("Step"), words("By when"), words("Plan area"), words("Followed up by"),
                words("Status")]  # fmt: skip
    rows = [[s.title, words.day(s.due_on), _area(s, words), s.agency.name, _status(s, words)]
            for s in paper.commitments]  # fmt: skip
    pdf.tabulate(headings, rows, PERSON_COLUMNS)


def _offers(pdf: Paper, paper: AgreementPaper, words: Words) -> None:
    pdf.section(words("What the agencies offer"))
    pdf.paragraph(words("The agencies commit to these offers."))
    if not paper.offers:
        pdf.paragraph(words("None."))
    headings = [words("Offer"), words("By when"), words("Plan area"), words("Status")]
    for agency in dict.fromkeys(s.agency for s in paper.offers):
        pdf.ln(1.5)
        if pdf.will_page_break(LINE + 2 * ROW):  # the agency's name above its first offer
            pdf.add_page()
        pdf.use_font(BODY, bold=True)
        pdf.paragraph(agency.name)
        pdf.use_font(BODY)
        rows = [[s.title, words.day(s.due_on), _area(s, words), _status(s, words)]
                for s in paper.offers if s.agency == agency]  # fmt: skip
        pdf.tabulate(headings, rows, AGENCY_COLUMNS)


def _area(step: Step, words: Words) -> str:
    return NO_VALUE if step.area is None else _term(AREAS, step.area, words)


def _term(labels: dict[str, str], code: str, words: Words) -> str:
    """A code in words; one the paper does not know, as it is."""
    return words(labels[code]) if code in labels else code


def _status(step: Step, words: Words) -> str:
    if step.met_on is None:
        return words("open")
    return words("met on %(day)s", day=words.day(step.met_on))


def _review(paper: AgreementPaper, words: Words) -> str:
    if paper.next_review_on is None:
        return words("The date of the next review will be agreed with you.")
    day = words.day(paper.next_review_on)
    return words("The agreement will be reviewed together with you on %(day)s.", day=day)


def _signatures(pdf: Paper, paper: AgreementPaper, words: Words) -> None:
    declaration = [
        words("I have read and understood this agreement. I agree to it and will do my part."),
        words("I have received a copy of this agreement."),
        words("By signing, the agencies commit to their offers named above."),
    ]
    signers = [words("Signature of the person concerned")]
    signers += [words("Signature for %(agency)s", agency=a.name) for a in paper.signers]
    # The declaration and its signatures stay on one page: a signature must not stand
    # alone on a page without the text it signs.
    needed = SECTION + sum(height_of(pdf, text) for text in declaration)
    if pdf.will_page_break(needed + len(signers) * (SIGN_ROOM + LINE)):
        pdf.add_page()
    pdf.section(words("Signatures"))
    for text in declaration:
        pdf.paragraph(text)
    for signer in signers:
        signature_line(pdf, words("Place, date"), signer)
