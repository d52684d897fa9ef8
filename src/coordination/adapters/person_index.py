"""Keyed encodings of a person for finding her without decrypting the store (ADR 0047).

Names become one record-level Bloom filter of their bigrams (a cryptographic long-term
key, CLK): each bigram sets `HASHES` of `BITS` positions drawn from HMAC-SHA-256 under a
key derived from the master key, salted with the field and the year of birth. Two
encodings are compared by the Dice coefficient. A date of birth becomes blocking keys:
the keyed hash of the whole date, and of its year and month (a mistyped day).

A second filter holds each name's consonant skeleton (ADR 0059): Arabic and Persian
script transliterates without short vowels ("محمد" becomes "mhmd"), so the skeleton of a
Latin spelling ("Mohammed": "mhmd") is what the two have in common. The nationality, where
known, becomes a keyed token of its own.
"""

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from anyascii import anyascii
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

BITS = 1024
HASHES = 20
MATCH = 0.75  # the Dice coefficient from which two encodings may be the same person
SKELETON_MATCH = 0.85  # the same for the skeletons, which hold less of each name
_PARTICLES = frozenset({"al", "el", "ul", "bin", "ben", "ibn", "abu", "von", "van", "der",
                        "de", "da", "di", "la", "le"})  # fmt: skip
_NOT_LETTERS = re.compile(r"[^a-z]+")
_ARABIC_ARTICLE = re.compile(r"(?<![\w])\u0627\u0644(?=\w{2})")  # al- joined to a name
_NOT_SKELETON = re.compile(r"(?<=.)[aeiouwy]|[aeiou]")  # vowels; w and y inside a word


def normalised(name: str) -> list[str]:
    """A name as the encoding sees it: Latin letters, lower case, no particles.
    Transliteration (anyascii) makes Олександр "oleksandr" and Müller "muller"."""
    return _words(_latin(name))


def _latin(name: str) -> str:
    return anyascii(unicodedata.normalize("NFKC", name)).lower()


def _words(latin: str) -> list[str]:
    words = [w for w in _NOT_LETTERS.split(latin) if w]
    kept = [w for w in words if w not in _PARTICLES]
    return kept or words


def skeleton(name: str) -> list[str]:
    """A name's consonants as both scripts write them: "Mohammed Al-Hassan" and
    "محمد الحسن" are both "mhmd hsn". The Arabic article and the final ta marbuta go
    before transliteration, vowels (and w, y inside a word) after; doubled letters
    collapse and q is k."""
    arabic = _ARABIC_ARTICLE.sub("", name.replace("\u0629", ""))
    # ع and ء transliterate as ` and ': inside a word, not a break in it.
    latin = _latin(arabic).replace("`", "").replace("'", "")
    words = [_NOT_SKELETON.sub("", w.replace("q", "k")) for w in _words(latin)]
    return [re.sub(r"(.)\1+", r"\1", w) for w in words if w]


def grams(words: list[str]) -> set[str]:
    found = set()
    for word in words:
        padded = f"_{word}_"
        found |= {padded[i : i + 2] for i in range(len(padded) - 1)}
    return found


def bigrams(name: str) -> set[str]:
    return grams(normalised(name))


@dataclass(frozen=True)
class Encoded:
    blocks: list[str]
    clk: int  # the filter's bits
    skeleton: int = 0  # the skeletons' filter
    nationality: str | None = None  # its keyed token, where known

    @property
    def hex(self) -> str:
        return as_hex(self.clk)


def as_hex(bits: int) -> str:
    return f"{bits:0{BITS // 4}x}"


def born_on(value: object) -> date | None:
    """A date of birth as a case holds it (a date, or its ISO text); None when it has none
    or it cannot be read (an erased part reads as None)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def dice(a: int, b: int) -> float:
    both = a.bit_count() + b.bit_count()
    return 2 * (a & b).bit_count() / both if both else 0.0


class PersonEncoder:
    def __init__(self, master_key: bytes) -> None:
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"person-index"
        ).derive(master_key)

    def encode(
        self, given_name: str, family_name: str, born: date, nationality: str | None = None
    ) -> Encoded:
        clk = skeletons = 0
        for field, name in (("given", given_name), ("family", family_name)):
            for gram in bigrams(name):
                clk |= self._positions(f"{field}:{born.year}:{gram}")
            for gram in grams(skeleton(name)):
                skeletons |= self._positions(f"{field}~:{born.year}:{gram}")
        country = self._token(f"nationality:{nationality.upper()}") if nationality else None
        return Encoded(self.blocks(born), clk, skeletons, country)

    def reference(self, agency: str, scheme: str, reference: str) -> str:
        """An agency's own file number as a keyed token: found by that agency only, and
        alike however its spaces and letter case were typed."""
        typed = "".join(unicodedata.normalize("NFKC", reference).split()).upper()
        return self._token(f"reference:{agency}:{scheme}:{typed}")

    def blocks(self, born: date) -> list[str]:
        return [self._token(f"day:{born.isoformat()}"), self._token(f"month:{born:%Y-%m}")]

    def _positions(self, salted_gram: str) -> int:
        """The bigram's positions, each drawn on its own from one keyed digest ("random
        hashing"): unlike double hashing, the positions share no pattern an attack on
        the filter could exploit."""
        digest = hmac.new(self._key, salted_gram.encode(), hashlib.sha512).digest()
        bits = 0
        for i in range(HASHES):
            bits |= 1 << (int.from_bytes(digest[2 * i : 2 * i + 2], "big") % BITS)
        return bits

    def _token(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]
