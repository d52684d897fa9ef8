"""What a PDF page actually draws, glyph by glyph, read from its content stream: which
font, which glyph of it (by its name in the embedded font), the text it stands for (the
font's ToUnicode map), and where each run of text starts and ends on its line.

Text extraction (pypdf's extract_text) reorders right-to-left text by itself, so it
cannot tell whether a page drew Arabic from right to left; the order of the glyphs in
the content stream can: a PDF draws every run from left to right.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

_CHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")


@dataclass(frozen=True)
class Glyph:
    text: str  # what it stands for, in logical order (a ligature stands for several)
    name: str  # its name in the embedded font: "uniFE91" is beh in its initial form


@dataclass(frozen=True)
class Run:
    """One string drawn in one font: its glyphs left to right, and where it ends."""

    font: str  # the font's name without its subset tag: "NotoSansArabic"
    glyphs: list[Glyph]
    start_x: float  # points from the page's left edge
    end_x: float
    y: float  # of its baseline, points from the page's foot

    @property
    def text(self) -> str:
        """What the run says, in the order drawn (left to right)."""
        return "".join(g.text for g in self.glyphs)


class _Font:
    def __init__(self, font: Any) -> None:
        descendant = font["/DescendantFonts"][0].get_object()
        self.name = str(font["/BaseFont"]).split("+")[-1]
        cmap = font["/ToUnicode"].get_object().get_data()
        self.text = {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                     for code, text in _CHAR.findall(cmap)}  # fmt: skip
        gids = descendant["/CIDToGIDMap"].get_object().get_data()
        self.gid = {cid: int.from_bytes(gids[2 * cid : 2 * cid + 2], "big")
                    for cid in range(len(gids) // 2)}  # fmt: skip
        embedded = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
        self.order = TTFont(io.BytesIO(embedded.get_data())).getGlyphOrder()
        self.widths = _widths(descendant.get("/W", []), float(descendant.get("/DW", 1000)))

    def glyphs(self, raw: bytes) -> list[tuple[Glyph, float]]:
        codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
        return [(Glyph(self.text.get(c, ""), self.order[self.gid[c]]), self.widths(c))
                for c in codes]  # fmt: skip


def _widths(w: Any, default: float) -> Any:
    """The /W array of a CID font ([first [w1 w2 …]] or [first last w]) as a lookup."""
    found: dict[int, float] = {}
    items, i = list(w), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], list):
            found.update({first + k: float(v) for k, v in enumerate(items[i + 1])})
            i += 2
        else:
            found.update({c: float(items[i + 2]) for c in range(first, int(items[i + 1]) + 1)})
            i += 3
    return lambda code: found.get(code, default)


def runs(content: bytes, page: int) -> list[Run]:
    """Every string the page draws, in the order drawn."""
    reader = PdfReader(io.BytesIO(content))
    at = reader.pages[page]
    fonts = {str(k): _Font(v.get_object()) for k, v in at["/Resources"]["/Font"].items()}
    return list(_drawn(ContentStream(at.get_contents(), reader), fonts))


def _drawn(stream: ContentStream, fonts: dict[str, _Font]) -> Iterator[Run]:
    font, size, line, x, y, saved = None, 0.0, 0.0, 0.0, 0.0, []
    for operands, operator in stream.operations:
        if operator == b"q":
            saved.append((font, size))
        elif operator == b"Q":
            font, size = saved.pop()
        elif operator == b"Tf":
            font, size = fonts[str(operands[0])], float(operands[1])
        elif operator == b"BT":
            line = x = y = 0.0
        elif operator == b"Td":
            line = x = line + float(operands[0])
            y += float(operands[1])
        elif operator == b"Tm":
            line = x = float(operands[4])
            y = float(operands[5])
        elif operator in (b"Tj", b"TJ") and font is not None:
            start = x
            glyphs, x = _shown(font, size, operands[0], operator == b"TJ", x)
            yield Run(font.name, glyphs, start, x, y)


def _shown(
    font: _Font, size: float, shown: Any, array: bool, x: float
) -> tuple[list[Glyph], float]:
    """The glyphs of a Tj string or a TJ array, and where the pen stands after them."""
    glyphs = []
    for item in shown if array else [shown]:
        if isinstance(item, (int, float)) or type(item).__name__ in ("FloatObject", "NumberObject"):
            x -= float(item) * size / 1000
            continue
        for glyph, width in font.glyphs(_raw(item)):
            glyphs.append(glyph)
            x += width * size / 1000
    return glyphs, x


def _raw(operand: Any) -> bytes:
    return bytes(getattr(operand, "original_bytes", operand))


def drawn_word(found: list[Run], word: str) -> list[Glyph] | None:
    """The glyphs that draw `word` in one run, if any run does: read from right to left
    (the last glyph drawn is the word's first letter), they must spell it. (fpdf2 maps
    a ligature of right-to-left text to its letters as drawn, so letters are reversed,
    not glyphs.)"""
    for run in found:
        glyphs = run.glyphs
        for start in range(len(glyphs)):
            for end in range(start + 1, len(glyphs) + 1):
                if "".join(g.text for g in glyphs[start:end])[::-1] == word:
                    return glyphs[start:end]
    return None
