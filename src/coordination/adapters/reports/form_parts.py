"""What the papers to sign share: labelled fields (a line to fill in by hand where a
value is unknown), agencies with their contact below, and signature lines."""

from coordination.adapters.reports.agencies import AgencyContact, contact_line
from coordination.adapters.reports.labels import Words
from coordination.adapters.reports.typesetting import BODY, LINE, SMALL, Paper

LABEL_WIDTH, LABEL_GAP = 36.0, 2.0  # at least; the gap before the value
FILL_HEIGHT, FILL_WIDTH = 8.0, 80.0  # room to write a name by hand
SIGN_ROOM = 14.0  # blank space above a signature line to sign in
PLACE_WIDTH, SIGN_GAP = 55.0, 10.0
SECTION = 3.0 + 6.0  # a section's gap and its title's line


def label_width(pdf: Paper, labels: list[str]) -> float:
    """The labels' column: wide enough for the longest in this language."""
    pdf.use_font(BODY, bold=True)
    widest = max(pdf.get_string_width(f"{label}:") for label in labels)
    pdf.use_font(BODY)
    return max(LABEL_WIDTH, widest + 2 * pdf.c_margin + LABEL_GAP)


def field(pdf: Paper, label: str, value: str | None, label_width: float) -> None:
    """A label and its value; without a value, a line to fill in by hand."""
    height = LINE if value else FILL_HEIGHT
    pdf.start_row()
    pdf.next_cell(label_width)
    pdf.use_font(BODY, bold=True)
    pdf.cell(label_width, height, f"{label}:", align=pdf.side)
    pdf.use_font(BODY)
    if value:
        width = pdf.last_cell()
        pdf.multi_cell(width, height, value, align=pdf.side, new_x="LMARGIN", new_y="NEXT")
        return
    pdf.next_cell(FILL_WIDTH)
    pdf.cell(FILL_WIDTH, height, "", border="B")
    pdf.use_font(SMALL)
    width = pdf.last_cell()
    by_hand = pdf.words("(fill in by hand)")
    pdf.cell(width, height, f" {by_hand} ", align=pdf.side, new_x="LMARGIN", new_y="NEXT")
    pdf.use_font(BODY)


def with_contact_below(agency: AgencyContact, words: Words) -> str:
    line = contact_line(agency, words)
    return f"{agency.name}\n{line}" if line else agency.name


def height_of(pdf: Paper, text: str) -> float:
    """How tall a paragraph will be, measured by fpdf2 without printing it."""
    height = pdf.multi_cell(0, LINE, text, dry_run=True, output="HEIGHT")
    assert isinstance(height, float)  # output="HEIGHT" returns the height alone
    return height


def signature_line(pdf: Paper, place_date: str, signer: str) -> None:
    """Room to write, then a ruled line with the label under it: place and date, signature."""
    pdf.ln(SIGN_ROOM)
    pdf.use_font(SMALL)
    pdf.start_row()
    pdf.next_cell(PLACE_WIDTH)
    pdf.cell(PLACE_WIDTH, LINE, place_date, border="T", align=pdf.side)
    pdf.next_cell(SIGN_GAP)
    width = pdf.last_cell()
    pdf.cell(width, LINE, signer, border="T", align=pdf.side, new_x="LMARGIN", new_y="NEXT")
    pdf.use_font(BODY)
