"""The printed papers as a reader sees them: pages rasterized by PDFium (pypdfium2) and
read off the pixels, not off the PDF's text or drawing operations.

- Lines: bands of rows with ink between blank rows, each with its left and right edge.
- Aligned on the reading side: a page in a right-to-left language has its lines flush
  with the right margin and ragged on the left, one in a left-to-right language the
  reverse; a table or a rule reaching both margins counts for neither.
- The first word: the title is the page's first line; the word the title begins with
  stands at the line's start (its right end in Arabic script) and looks as the font
  draws it when another typesetter, Pillow with libraqm (FriBidi and HarfBuzz), sets it
  in the language's direction. Letters standing alone, or drawn from left to right,
  look otherwise.
- Joined letters: in Arabic script the letters of a word join, except after a letter
  that joins only the one before it (alef, dal, reh, waw …). Cut along its baseline, a
  line's ink falls into one piece per such group of letters, plus one per digit or sign;
  letters standing alone fall into about one piece each. Dots and marks stand off the
  baseline and are not counted.
"""

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from coordination.adapters import reports
from coordination.adapters.reports.labels import Language
from coordination.adapters.reports.typesetting import MARGIN

DPI = 150  # a 10 pt body letter is some 20 pixels high: joins and gaps show clearly
MM = DPI / 25.4  # pixels
INK = 128  # grey levels darker than this are ink
TITLE_SIZE = 15.0  # points: both papers set their title in 15 pt bold
FONTS = Path(reports.__file__).parent / "fonts"
# A line's ink this close to a margin is flush with it: the cell's padding and the
# letters' side bearings keep it a millimetre or so off.
FLUSH = 3 * MM
# The least share of ink that the start of a title and the font's drawing of its first
# word have in common. Measured at 100 to 200 dpi: 0.76 to 0.97 for the word drawn
# right; 0.21 to 0.39 for letters standing alone or drawn from left to right.
LIKE = 0.6
# Arabic letters that join the letter before them but never the one after (Unicode's
# joining type R), among those the papers' languages write; hamza joins neither.
JOINS_BEFORE_ONLY = set("آأؤإاةدذرزوٱژۀ")
NON_JOINING = set("ء")


@dataclass(frozen=True)
class Line:
    """A band of rows with ink, from `top` to `bottom` (exclusive), and its ink's edges."""

    top: int
    bottom: int
    left: int
    right: int  # exclusive


def render(content: bytes, page: int) -> Image.Image:
    """The page as PDFium draws it, in two levels (mode "1"): ink 255, paper 0."""
    document = pdfium.PdfDocument(content)
    try:
        bitmap = document[page].render(scale=DPI / 72, grayscale=True)
        grey: Image.Image = bitmap.to_pil().convert("L")
    finally:
        document.close()
    return grey.point(lambda value: 255 if value < INK else 0, mode="1")


def page_count(content: bytes) -> int:
    document = pdfium.PdfDocument(content)
    try:
        return len(document)
    finally:
        document.close()


def lines(ink: Image.Image) -> list[Line]:
    """The page's lines of ink, top to bottom."""
    width, height = ink.size
    pixels = ink.convert("L").tobytes()
    found: list[Line] = []
    start, left, right = None, width, 0
    for y in range(height + 1):
        row = pixels[y * width : (y + 1) * width]
        first = row.find(255) if y < height else -1
        if first >= 0:
            start = y if start is None else start
            left, right = min(left, first), max(right, row.rfind(255) + 1)
        elif start is not None:
            found.append(Line(start, y, left, right))
            start, left, right = None, width, 0
    return found


def ink_above_the_foot(ink: Image.Image) -> bool:
    """Whether anything is drawn above the foot: every page prints its foot 12 mm above
    the lower edge, so a page with nothing else on it has no ink above 14 mm."""
    width, height = ink.size
    return ink.crop((0, 0, width, round(height - 14 * MM))).getbbox() is not None


@dataclass(frozen=True)
class Alignment:
    start: int  # lines flush with the margin the language starts from, and only with it
    end: int  # lines flush with the other margin only


def alignment(ink: Image.Image, language: Language) -> Alignment:
    width = ink.size[0]
    left = right = 0
    for line in lines(ink):
        at_left = line.left - MARGIN * MM < FLUSH
        at_right = width - MARGIN * MM - line.right < FLUSH
        left += at_left and not at_right
        right += at_right and not at_left
    return Alignment(right, left) if language.rtl else Alignment(left, right)


def pieces_on_the_baseline(ink: Image.Image, line: Line) -> int:
    """The pieces of ink (4-connected) that reach the line's baseline: its row with the
    most ink, where Arabic letters join, or the row above it."""
    crop = ink.crop((line.left, line.top, line.right, line.bottom)).convert("L")
    width, height = crop.size
    pixels = crop.tobytes()
    rows = [pixels[y * width : (y + 1) * width].count(255) for y in range(height)]
    baseline = max(range(height), key=rows.__getitem__)
    seen = bytearray(width * height)
    pieces = 0
    for first in range(width * height):
        if not pixels[first] or seen[first]:
            continue
        seen[first], stack, reaches = 1, [first], False
        while stack:
            at = stack.pop()
            y, x = divmod(at, width)
            reaches = reaches or baseline - 1 <= y <= baseline
            for near, inside in ((at - 1, x > 0), (at + 1, x < width - 1),
                                 (at - width, y > 0), (at + width, y < height - 1)):  # fmt: skip
                if inside and pixels[near] and not seen[near]:
                    seen[near] = 1
                    stack.append(near)
        pieces += reaches
    return pieces


@dataclass(frozen=True)
class Letters:
    groups: int  # pieces the text's ink falls into on its baseline when its letters join
    alone: int  # pieces when each letter stands alone: one a letter, digit or sign


def letters(text: str) -> Letters:
    groups = alone = 0
    joins_next = False
    for char in text:
        kind = unicodedata.category(char)
        if kind == "Mn":  # a vowel sign or other mark: above or below, joins nothing
            continue
        if "\u0620" <= char <= "\u06ff" and kind == "Lo":
            alone += 1
            groups += not joins_next
            joins_next = char not in JOINS_BEFORE_ONLY | NON_JOINING
            continue
        joins_next = False  # a space, a digit, a sign; a zero-width non-joiner (Persian)
        if not char.isspace() and kind != "Cf":
            groups += 1
            alone += 1
    return Letters(groups, alone)


def likeness(ink: Image.Image, line: Line, word: str, language: Language) -> float:
    """How much the ink at the line's start, as wide as the word, has in common with the
    font's drawing of the word (shared ink over all ink, at the best of small shifts)."""
    drawn = drawing(word, language)
    width, height = drawn.size
    start = line.right - width if language.rtl else line.left
    seen = ink.crop((start, line.top, start + width, line.bottom))
    best = 0.0
    for dy in range(-4, seen.size[1] - height + 5):
        for dx in range(-3, 4):
            placed = Image.new("1", seen.size, 0)
            placed.paste(drawn, (dx, dy))
            both = ImageChops.logical_and(placed, seen).histogram()[255]
            either = ImageChops.logical_or(placed, seen).histogram()[255]
            best = max(best, both / either if either else 0.0)
    return best


@cache
def drawing(word: str, language: Language) -> Image.Image:
    """The word in the papers' bold face at the titles' size, set by Pillow and libraqm
    in the language's direction: its ink, cropped to it."""
    if not (features.check_feature("raqm") and features.check_feature("fribidi")):
        raise RuntimeError("Pillow sets Arabic script with libraqm and FriBidi (Debian's "
                           "libfribidi0): one of them is missing")  # fmt: skip
    face = "NotoSansArabic-Bold.ttf" if language.rtl else "NotoSans-Bold.ttf"
    font = ImageFont.truetype(FONTS / face, TITLE_SIZE * DPI / 72,
                              layout_engine=ImageFont.Layout.RAQM)  # fmt: skip
    direction = "rtl" if language.rtl else "ltr"
    left, top, right, bottom = font.getbbox(word, direction=direction, language=language.value)
    grey = Image.new("L", (math.ceil(right - left) + 4, math.ceil(bottom - top) + 4), 255)
    ImageDraw.Draw(grey).text((2 - left, 2 - top), word, font=font, fill=0,
                              direction=direction, language=language.value)  # fmt: skip
    ink = grey.point(lambda value: 255 if value < INK else 0, mode="1")
    box = ink.getbbox()
    assert box is not None
    return ink.crop(box)


def misread(ink: Image.Image, language: Language, title: str) -> dict[str, str]:
    """What keeps a version's first page from reading as its language reads: by check
    ("aligned", "first word", "joined"), what the page shows instead. Empty if nothing."""
    found: dict[str, str] = {}
    side = "right" if language.rtl else "left"
    aligned = alignment(ink, language)
    if aligned.start < 10 or aligned.end:
        found["aligned"] = (f"{aligned.start} lines flush {side} only, {aligned.end} flush "
                            "with the other margin only")  # fmt: skip
    heading = lines(ink)[0]
    word = title.split()[0]
    like = likeness(ink, heading, word, language)
    if like < LIKE:
        found["first word"] = f"the title's {side} end is {like:.2f} like {word!r}"
    if language.rtl:
        expected, pieces = letters(title), pieces_on_the_baseline(ink, heading)
        if abs(pieces - expected.groups) > 1:
            found["joined"] = (f"the title falls into {pieces} pieces on its baseline: "
                               f"{expected.groups} if joined, {expected.alone} if not")  # fmt: skip
    return found
