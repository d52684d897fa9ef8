"""A case's state as lines of (where, what), and what changed between two versions:
the auditor's replay compares what the case service showed at each version."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Change:
    path: str
    before: str | None  # None: not there before
    after: str | None  # None: gone after


def lines(data: Mapping[str, Any] | None) -> dict[str, str]:
    """Every leaf of the state by its path: `person.given_name`, `consents.1.status`."""
    found: dict[str, str] = {}
    _walk(data or {}, "", found)
    return found


def _walk(value: Any, path: str, found: dict[str, str]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _walk(inner, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list | tuple) and any(isinstance(v, Mapping | list) for v in value):
        for index, inner in enumerate(value, 1):
            _walk(inner, f"{path}.{index}", found)
    elif value is not None and value != [] and value != "":
        found[path] = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def changes(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    """The lines added, changed and removed, in the order of the paths."""
    return [
        Change(path, before.get(path), after.get(path))
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]
