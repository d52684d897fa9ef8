"""The page both papers are set on: A4 in the bundled Noto Sans, text shaped by HarfBuzz
(uharfbuzz), one language at a time.

Noto Sans covers Latin, Greek and Cyrillic; Noto Sans Arabic covers Arabic and Persian.
A language's own script comes first and the other is the fallback, letter by letter, so
an Arabic name prints joined on the German pages and a Latin agency name as written on
the Arabic ones. fpdf2 shapes each run (joined letters, ligatures) and orders it by the
Unicode bidirectional algorithm; right-to-left pages are also aligned to the right, and
rows of cells (a label and its value, a bullet and its item, a table's columns) are laid
out from the right.
"""

from collections.abc import Sequence
from datetime import datetime
from importlib.resources import as_file, files
from typing import Any

from fpdf import FPDF, FontFace

from coordination.adapters.reports.labels import N_, Language, Words

LATIN, ARABIC = "NotoSans", "NotoSansArabic"
FACES = {
    LATIN: {"": "NotoSans-Regular.ttf", "B": "NotoSans-Bold.ttf"},
    ARABIC: {"": "NotoSansArabic-Regular.ttf", "B": "NotoSansArabic-Bold.ttf"},
}
BODY, SMALL = 10.0, 8.5
LINE = 5.0
MARGIN = 18.0
# Heads every version but the German one.
TRANSLATED = N_(
    "This is a translation for your information. The German version is the binding one."
)


class Paper(FPDF):
    """A document of one or more languages; `speak` switches between them."""

    def __init__(self, title: str, created: datetime) -> None:
        super().__init__(format="A4")
        fonts = files("coordination.adapters.reports") / "fonts"
        for family, styles in FACES.items():
            for style, name in styles.items():
                with as_file(fonts / name) as path:
                    self.add_font(family, style, str(path))
        self.set_title(title)
        self.set_lang(Language.DE.value)  # the binding version; translations follow it
        self.set_creation_date(created)  # the same paper prints the same bytes
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.speak(Words(Language.DE))

    def speak(self, words: Words) -> None:
        """From here on, text in this language: its script's font, its direction."""
        self.words = words
        self.rtl = words.language.rtl
        self.face, fallback = (ARABIC, LATIN) if self.rtl else (LATIN, ARABIC)
        self.set_fallback_fonts([fallback])
        self.set_text_shaping(True, direction="rtl" if self.rtl else "ltr")
        self.side = "R" if self.rtl else "L"
        self.use_font(BODY)

    def use_font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.face, "B" if bold else "", size)

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> bool:
        # fpdf2 (2.8.9) sets a newly chosen font for a line that begins in the fallback
        # font (a Latin name on an Arabic page, a bullet) inside that line's own q…Q, yet
        # counts it as set for the page: the lines after it were drawn in the font before,
        # with the wrong letters. Setting the font for the page first, outside the line,
        # keeps the two in step. tests/unit/test_papers_in_languages.py pins the method.
        if self.page and self.current_font and not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return super()._render_styled_text_line(*args, **kwargs)

    def foot(self, page: str) -> str:
        """What every page says at its foot; `page` is "n/total"."""
        return self.words("Page %(page)s", page=page)

    def footer(self) -> None:
        self.set_y(-12)
        self.use_font(SMALL)
        self.cell(0, 5, self.foot(f"{self.page_no()}/{{nb}}"), align="C")

    # Text in the reading direction

    def paragraph(self, text: str, height: float = LINE) -> None:
        self.multi_cell(0, height, text, align=self.side, new_x="LMARGIN", new_y="NEXT")

    def section(
        self, title: str, gap: float = 3.0, size: float = 11.0, height: float = 6.0
    ) -> None:
        self.ln(gap)
        self.use_font(size, bold=True)
        self.paragraph(title, height)
        self.use_font(BODY)

    def bullets(self, items: Sequence[str], width: float = 5.0) -> None:
        """One item a line, wrapping beside its bullet under its own first line."""
        if not items:
            self.paragraph(self.words("None."))
        for item in items:
            self.start_row()
            self.next_cell(width)
            self.cell(width, LINE, "•", align=self.side)
            rest = self.last_cell()
            self.multi_cell(rest, LINE, item, align=self.side, new_x="LMARGIN", new_y="NEXT")

    def tabulate(
        self, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> None:
        """Headings in bold, then a row each; the first column on the reading side."""
        if not rows:
            self.paragraph(self.words("None."))
            return
        self.use_font(SMALL)
        ordered = (lambda cells: list(cells)[::-1]) if self.rtl else list
        with self.table(
            col_widths=tuple(ordered(widths)), text_align="RIGHT" if self.rtl else "LEFT",
            line_height=4.2, headings_style=FontFace(emphasis="BOLD"),
        ) as table:  # fmt: skip
            for cells in [headings, *rows]:
                row = table.row()
                for text in ordered(cells):
                    row.cell(text)
        self.use_font(BODY)

    # Rows of cells in reading order: from the left margin, or from the right one

    def start_row(self) -> None:
        self._edge = self.w - self.r_margin if self.rtl else self.l_margin

    def next_cell(self, width: float) -> None:
        """Moves to where the row's next cell of this width goes."""
        if self.rtl:
            self._edge -= width
            self.set_x(self._edge)
        else:
            self.set_x(self._edge)
            self._edge += width

    def last_cell(self) -> float:
        """Moves to the row's last cell, across what is left of the line; its width."""
        width = self._edge - self.l_margin if self.rtl else self.w - self.r_margin - self._edge
        self.next_cell(width)
        return width
