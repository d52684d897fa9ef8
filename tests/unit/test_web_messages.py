"""Every message the web app shows has its German text in the catalogue."""

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from coordination.contract.requests import EVENT_BODIES, OpenCase
from coordination.entrypoints import web
from coordination.entrypoints.web.forms import Field, form_fields
from coordination.entrypoints.web.i18n import direction, translations
from coordination.entrypoints.web.labels import Labels, readable

WEB = Path(web.__file__).parent
KEYWORDS = {"_": None, "gettext": None, "N_": None}


def shown_messages() -> set[str]:
    """What Babel extracts from the web app's code and templates (as `pybabel extract`)."""
    found = []
    for path in WEB.rglob("*.py"):
        found += extract_from_file("python", path, KEYWORDS)
    for path in (WEB / "templates").rglob("*.html"):
        found += extract_from_file("jinja2", path, KEYWORDS,
                                   options={"extensions": "jinja2.ext.i18n"})  # fmt: skip
    return {m[1] if isinstance(m[1], str) else m[1][0] for m in found}


def labels_of(fields: list[Field]) -> set[str]:
    found = set()
    for f in fields:
        found.add(readable(f.key))
        found |= {readable(o) for o in f.options if o not in ("A1", "A2", "B1", "B2", "C1", "C2")}
        found |= labels_of(f.children)
    return found


def test_every_message_and_every_form_label_has_a_german_text() -> None:
    with (WEB / "locale" / "de" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        german = {m.id: m.string for m in read_po(f) if m.id}
    wanted = shown_messages()
    assert "Sign in" in wanted
    for model in [OpenCase, *EVENT_BODIES.values()]:
        wanted |= labels_of(form_fields(model, frozenset()))
    missing = sorted(m for m in wanted if not german.get(m))
    assert missing == []


def test_english_is_the_messages_as_written() -> None:
    assert translations("en").gettext("Sign in") == "Sign in"
    assert translations("de").gettext("Sign in") == "Anmelden"
    assert Labels(translations("de").gettext).value("integration_course") == "Integrationskurs"


def test_arabic_persian_and_pashto_pages_are_written_right_to_left() -> None:
    assert [direction(code) for code in ("ar", "fa", "ps")] == ["rtl"] * 3
    assert [direction(code) for code in ("de", "en", "uk", "ti", "no such")] == ["ltr"] * 5
