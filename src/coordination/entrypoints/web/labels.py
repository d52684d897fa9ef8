"""What fields, values and event types are called on screen.

A field or value reads as its name made readable ("to_agency": "To agency"), which the
language's catalogue translates; event types carry their German and English labels in
the catalogue of events (domain/catalogue.py).
"""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from coordination.domain.catalogue import CATALOGUE

# Values that are codes, shown as they are.
_AS_IS = frozenset({"A1", "A2", "B1", "B2", "C1", "C2"})


def readable(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class Labels:
    def __init__(self, gettext: Callable[[str], str]) -> None:
        self._ = gettext

    def field(self, name: str) -> str:
        return self._(readable(name))

    def path(self, path: str) -> str:
        """Where a value sits in a case: `consents.1.given_on` reads "Consents / 1 / Given on"."""
        return " / ".join(part if part.isdigit() else self.field(part) for part in path.split("."))

    def value(self, value: object) -> str:
        text = str(value)
        return text if text in _AS_IS else self._(readable(text))

    def plain(self, value: object) -> str:
        """A value shown as it is; instants and days in the reader's way of writing them."""
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime(self._("%Y-%m-%d %H:%M UTC"))
        if isinstance(value, date):
            return value.strftime(self._("%Y-%m-%d"))
        return str(value)

    def values(self, values: Iterable[object]) -> str:
        """Several values, sorted, as one text."""
        return ", ".join(sorted(self.value(getattr(v, "value", v)) for v in values))

    def event(self, type_name: str, language: str) -> str:
        found = CATALOGUE.get(type_name)
        if found is None:
            return type_name
        label = found.declared.label
        return label.de if language == "de" else label.en
