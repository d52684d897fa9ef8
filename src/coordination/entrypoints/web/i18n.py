"""Languages of the web app: German by default, English selectable (Babel catalogues).

Messages are written in English in the templates and code; each language but English
has a catalogue (`locale/<lang>/LC_MESSAGES/messages.po`), compiled in memory at start.
"""

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locale"
LANGUAGES = {"de": "Deutsch", "en": "English"}
DEFAULT = "de"
LANGUAGE_COOKIE = "lang"


@cache
def translations(language: str) -> gettext.NullTranslations:
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def chosen(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT


@cache
def direction(language: str) -> str:
    """The writing direction of the language, from the CLDR data Babel carries: a
    catalogue of Arabic, Persian or Pashto turns the pages right-to-left by itself."""
    try:
        return "rtl" if Locale.parse(language).text_direction == "rtl" else "ltr"
    except (ValueError, UnknownLocaleError):
        return "ltr"
