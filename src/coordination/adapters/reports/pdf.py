"""The disclosure report as a printable PDF (fpdf2), in German or English.

Set in the bundled DejaVu Sans, so names in any Latin, Greek or Cyrillic script
print as written. Agency and consent ids are printed as they are, each agency on
a line of its own, so the person can match them against receipts.
"""

from collections.abc import Sequence
from datetime import datetime
from importlib.resources import as_file, files

from fpdf import FPDF, FontFace

from coordination.adapters.reports.labels import Language, Words
from coordination.domain.disclosure import DisclosureReport, ReportConsent

FONT = "DejaVu"
BODY, SMALL = 10.0, 8.5
UNTIL = " \u2013\n"  # an en dash between the first and the last time


class _Document(FPDF):
    words: Words

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", SMALL)
        self.cell(0, 5, f"{self.words['page']} {self.page_no()}/{{nb}}", align="C")


def render_report(report: DisclosureReport, language: Language) -> bytes:
    words = Words(language)
    pdf = _document(report, words)
    _header(pdf, report, words)
    _agencies(pdf, report, words)
    _received(pdf, report, words)
    _reads(pdf, report, words)
    _inspections(pdf, report, words)
    _emergencies(pdf, report, words)
    _consents(pdf, report.consents, words)
    return bytes(pdf.output())


def _document(report: DisclosureReport, words: Words) -> _Document:
    pdf = _Document(format="A4")
    pdf.words = words
    fonts = files("coordination.adapters.reports") / "fonts"
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        with as_file(fonts / name) as path:
            pdf.add_font(FONT, style, str(path))
    pdf.set_title(words["title"])
    pdf.set_lang(words.language.value)
    pdf.set_creation_date(report.generated_at)  # the same report prints the same
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    return pdf


def _header(pdf: _Document, report: DisclosureReport, words: Words) -> None:
    pdf.set_font(FONT, "B", 15)
    _paragraph(pdf, words["title"], height=7.5)
    pdf.set_font(FONT, "", BODY)
    _paragraph(pdf, words["intro"])
    pdf.ln(2)
    person = report.person
    name = f"{person.given_name} {person.family_name}" if person else words["no_name"]
    role = words["as_dpo"] if report.requested_as == "dpo" else words["as_lead"]
    for label, value in (
        (words["person"], name),
        (words["case"], str(report.case_id)),
        (words["generated"], words.moment(report.generated_at)),
        (words["requested_by"], f"{report.requested_by} ({role})"),
    ):
        _paragraph(pdf, f"{label}: {value}")


def _agencies(pdf: _Document, report: DisclosureReport, words: Words) -> None:
    _section(pdf, words["agencies"])
    if not report.agencies:
        _paragraph(pdf, words["none"])
    for agency in report.agencies:
        _paragraph(pdf, f"• {agency.name} — {agency.agency_id}")


def _received(pdf: _Document, report: DisclosureReport, words: Words) -> None:
    _section(pdf, words["received"])
    rows = [
        [words.moment(r.at), f"{r.agency}\n({words['from']} {r.sender})",
         f"{words.term(r.purpose)}\n({words.term(r.event_type)})",
         words.terms(r.categories), _brief(", ".join([*r.consents, *r.norms]), 200)]
        for r in report.received
    ]  # fmt: skip
    headings = [words["when"], words["agency"], words["purpose"], words["categories"],
                words["basis"]]  # fmt: skip
    _table(pdf, headings, rows, (22, 52, 34, 40, 26), words)


def _reads(pdf: _Document, report: DisclosureReport, words: Words) -> None:
    _section(pdf, words["read"])
    rows = [
        [r.agency, words.term(r.category), f"{r.consent_id or r.norm}\n({words.terms(r.purposes)})",
         _span(words, r.first_at, r.last_at), str(r.times)]
        for r in report.read
    ]  # fmt: skip
    headings = [words["agency"], words["category"], words["basis"], words["period"],
                words["times"]]  # fmt: skip
    _table(pdf, headings, rows, (52, 30, 34, 42, 16), words)


def _inspections(pdf: _Document, report: DisclosureReport, words: Words) -> None:
    if not report.inspections:
        return
    _section(pdf, words["inspections"])
    rows = [
        [i.agency, words.term(i.role),
         _span(words, i.first_at, i.last_at), str(i.times)]
        for i in report.inspections
    ]  # fmt: skip
    headings = [words["agency"], words["role"], words["period"], words["times"]]
    _table(pdf, headings, rows, (66, 34, 58, 16), words)


def _emergencies(pdf: _Document, report: DisclosureReport, words: Words) -> None:
    if not report.emergency_accesses:
        return
    _section(pdf, words["emergencies"])
    rows = [
        [e.agency, _span(words, e.opened_at, e.closes_at), _brief(e.justification), str(e.reads)]
        for e in report.emergency_accesses
    ]
    headings = [words["agency"], words["period"], words["justification"], words["times"]]
    _table(pdf, headings, rows, (46, 42, 70, 16), words)


def _brief(text: str | None, most: int = 400) -> str:
    """A free text as one paragraph of a table cell: a cell must fit on one page."""
    if not text:
        return "-"
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1] + "…"


def _consents(pdf: _Document, consents: Sequence[ReportConsent], words: Words) -> None:
    _section(pdf, words["consents"])
    if not consents:
        _paragraph(pdf, words["none"])
    for c in consents:
        pdf.set_font(FONT, "B", BODY)
        _paragraph(pdf, f"{words['consent']} {c.consent_id} — {words.term(c.status)}")
        pdf.set_font(FONT, "", BODY)
        until = words.day(c.valid_until) if c.valid_until else words["unlimited"]
        lines = [
            (words["recipients"], ", ".join(c.recipients)),
            (words["purposes"], words.terms(c.purposes)),
            (words["categories"], words.terms(c.categories)),
            (words["given_on"], words.day(c.given_on)),
            (words["valid_until"], until),
        ]
        if c.withdrawn_at:
            lines.append((words["withdrawn_at"], words.moment(c.withdrawn_at)))
        if c.expired_at:
            lines.append((words["expired_at"], words.moment(c.expired_at)))
        for label, value in lines:
            _paragraph(pdf, f"    {label}: {value}")
        pdf.ln(1.5)


def _span(words: Words, first: datetime, last: datetime) -> str:
    if words.moment(first) == words.moment(last):
        return words.moment(first)
    return words.moment(first) + UNTIL + words.moment(last)


def _section(pdf: _Document, title: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    _paragraph(pdf, title, height=6.5)
    pdf.set_font(FONT, "", BODY)


def _paragraph(pdf: _Document, text: str, height: float = 5.0) -> None:
    pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _table(
    pdf: _Document, headings: list[str], rows: list[list[str]], widths: tuple[int, ...],
    words: Words,
) -> None:  # fmt: skip
    if not rows:
        _paragraph(pdf, words["none"])
        return
    pdf.set_font(FONT, "", SMALL)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.2,
                   headings_style=bold) as table:  # fmt: skip
        for cells in [headings, *rows]:
            row = table.row()
            for text in cells:
                row.cell(text)
    pdf.set_font(FONT, "", BODY)
