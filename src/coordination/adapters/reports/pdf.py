"""The disclosure report (Art. 15 GDPR) as a printable PDF (fpdf2): in German, and
beside it in the person's language on pages of its own.

Agencies are named as the directory names them, each listed once with how its office
is reached, so the person can ask them; consent ids are printed as they are, so the
person can refer to a consent.
"""

from collections.abc import Sequence
from datetime import datetime

from coordination.adapters.reports.agencies import Agencies, AgencyContact, contact_line, named
from coordination.adapters.reports.labels import N_, Language, Words
from coordination.adapters.reports.typesetting import BODY, TRANSLATED, Paper
from coordination.domain.disclosure import DisclosureReport, ReportConsent

TITLE = N_("Information on the disclosure of your data (Art. 15 GDPR)")
UNTIL = " \u2013\n"  # an en dash between the first and the last time


def render_report(
    report: DisclosureReport, language: Language, agencies: Agencies | None = None
) -> bytes:
    """German first, as the binding version; then `language`'s, unless it is German.

    `agencies`: names and contacts by agency id, from the directory; without them, the
    report's own names of the agencies it lists, and ids for any other.
    """
    everyone = _names(report, agencies or {})
    pdf = Paper(Words(Language.DE)(TITLE), report.generated_at)
    languages = [Language.DE] if language is Language.DE else [Language.DE, language]
    for each in languages:
        pdf.add_page()
        pdf.speak(Words(each))  # after add_page: it printed the last version's footer
        _version(pdf, report, everyone)
    return bytes(pdf.output())


def _names(report: DisclosureReport, agencies: Agencies) -> dict[str, AgencyContact]:
    return {a.agency_id: AgencyContact(a.name) for a in report.agencies} | dict(agencies)


def _version(pdf: Paper, report: DisclosureReport, agencies: Agencies) -> None:
    _header(pdf, report, agencies)
    _agencies(pdf, report, agencies)
    _received(pdf, report, agencies)
    _reads(pdf, report, agencies)
    _inspections(pdf, report, agencies)
    _emergencies(pdf, report, agencies)
    _consents(pdf, report.consents, agencies)


def _header(pdf: Paper, report: DisclosureReport, agencies: Agencies) -> None:
    words = pdf.words
    pdf.use_font(15, bold=True)
    pdf.paragraph(words(TITLE), height=7.5)
    pdf.use_font(BODY)
    if words.language is not Language.DE:
        pdf.use_font(BODY, bold=True)
        pdf.paragraph(words(TRANSLATED))
        pdf.use_font(BODY)
        pdf.ln(1)
    pdf.paragraph(words(
        "This report shows which agencies received or read data from your case file, when, "
        "for what purpose and on which basis (your consent, a law or an emergency), and "
        "which consents you gave and withdrew. Times are German local time."
    ))  # fmt: skip
    pdf.ln(2)
    person = report.person
    name = (f"{person.given_name} {person.family_name}" if person
            else words("(filled in by hand once identity has been checked)"))  # fmt: skip
    role = (words("data-protection officer") if report.requested_as == "dpo"
            else words("lead agency"))  # fmt: skip
    by = named(agencies, report.requested_by)
    for label, value in (
        (words("Data subject"), name),
        (words("Case"), words.code(str(report.case_id))),
        (words("Generated"), words.moment(report.generated_at)),
        (words("Prepared by"), f"{by.name} ({role})"),
    ):
        pdf.paragraph(f"{label}: {value}")
    # Whom the person asks about the report.
    if line := contact_line(by, words):
        pdf.paragraph(f"    {line}")


def _agencies(pdf: Paper, report: DisclosureReport, agencies: Agencies) -> None:
    """Each agency once, with how to reach it: the tables below name them only."""
    words = pdf.words
    pdf.section(words("Agencies that received or read your data, or hold a consent"), size=12)
    listed = []
    for agency in report.agencies:
        found = named(agencies, agency.agency_id)
        line = contact_line(found, words)
        listed.append(f"{found.name}\n{line}" if line else found.name)
    pdf.bullets(listed)


def _received(pdf: Paper, report: DisclosureReport, agencies: Agencies) -> None:
    words = pdf.words
    pdf.section(words("Disclosures to other agencies"), size=12)
    rows = [
        [words.moment(r.at),
         named(agencies, r.agency).name + "\n"
         + words("(from %(sender)s)", sender=named(agencies, r.sender).name),
         f"{words.term(r.purpose)}\n({words.term(r.event_type)})",
         words.terms(r.categories), _brief(", ".join([*r.consents, *r.norms]), 200)]
        for r in report.received
    ]  # fmt: skip
    headings = [words("When"), words("Agency"), words("Purpose"), words("Data categories"),
                words("Legal basis")]  # fmt: skip
    pdf.tabulate(headings, rows, (22, 50, 32, 38, 32))


def _reads(pdf: Paper, report: DisclosureReport, agencies: Agencies) -> None:
    words = pdf.words
    pdf.section(words("Reads by other agencies"), size=12)
    rows = [
        [named(agencies, r.agency).name, words.term(r.category),
         f"{r.consent_id or r.norm}\n({words.terms(r.purposes)})",
         _span(words, r.first_at, r.last_at), str(r.times)]
        for r in report.read
    ]  # fmt: skip
    headings = [words("Agency"), words("Data category"), words("Legal basis"), words("Period"),
                words("How often")]  # fmt: skip
    pdf.tabulate(headings, rows, (52, 30, 34, 42, 16))


def _inspections(pdf: Paper, report: DisclosureReport, agencies: Agencies) -> None:
    if not report.inspections:
        return
    words = pdf.words
    pdf.section(words("Inspections by supervisory bodies"), size=12)
    rows = [
        [named(agencies, i.agency).name, words.term(i.role),
         _span(words, i.first_at, i.last_at), str(i.times)]
        for i in report.inspections
    ]  # fmt: skip
    headings = [words("Agency"), words("Role"), words("Period"), words("How often")]
    pdf.tabulate(headings, rows, (66, 34, 58, 16))


def _emergencies(pdf: Paper, report: DisclosureReport, agencies: Agencies) -> None:
    if not report.emergency_accesses:
        return
    words = pdf.words
    pdf.section(words("Emergency access to protect vital interests"), size=12)
    rows = [
        [named(agencies, e.agency).name, _span(words, e.opened_at, e.closes_at),
         _brief(e.justification), str(e.reads)]
        for e in report.emergency_accesses
    ]  # fmt: skip
    headings = [words("Agency"), words("Period"), words("Justification"), words("How often")]
    pdf.tabulate(headings, rows, (46, 42, 70, 16))


def _brief(text: str | None, most: int = 400) -> str:
    """A free text as one paragraph of a table cell: a cell must fit on one page."""
    if not text:
        return "-"
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1] + "…"


def _consents(pdf: Paper, consents: Sequence[ReportConsent], agencies: Agencies) -> None:
    words = pdf.words
    pdf.section(words("Your consents"), size=12)
    if not consents:
        pdf.paragraph(words("None."))
    consent = words("Consent")
    for c in consents:
        pdf.use_font(BODY, bold=True)
        pdf.paragraph(f"{consent} {words.code(c.consent_id)} — {words.term(c.status)}")
        pdf.use_font(BODY)
        for label, value in _consent_lines(c, words, agencies):
            pdf.paragraph(f"    {label}: {value}")
        pdf.ln(1.5)


def _consent_lines(c: ReportConsent, words: Words, agencies: Agencies) -> list[tuple[str, str]]:
    until = words.day(c.valid_until) if c.valid_until else words("no end date")
    lines = [
        (words("Recipients"), words.listed([named(agencies, r).name for r in c.recipients])),
        (words("Purposes"), words.terms(c.purposes)),
        (words("Data categories"), words.terms(c.categories)),
        (words("Given on"), words.day(c.given_on)),
        (words("Valid until"), until),
    ]
    if c.withdrawn_at:
        lines.append((words("Withdrawn on"), words.moment(c.withdrawn_at)))
    if c.expired_at:
        lines.append((words("Expired on"), words.moment(c.expired_at)))
    return lines


def _span(words: Words, first: datetime, last: datetime) -> str:
    if words.moment(first) == words.moment(last):
        return words.moment(first)
    return words.moment(first) + UNTIL + words.moment(last)
