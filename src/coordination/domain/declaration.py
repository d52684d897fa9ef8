"""How an event type is declared: once, on its class, beside its fields.

Every event class of a case carries a `Declaration` (how it is read, who may record it,
which of its fields are personal, its names in German and English, an example)
and one command of the case is marked with `@records(EventClass)`. The catalogue
(`catalogue.py`) collects both; visibility, sealing, report labels, the contract's
request models and docs/events.md are derived from it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from consent import Category


class Reading(Enum):
    """How an event is read, where it is not read under one category."""

    ADMINISTRATION = "case administration: every related agency"
    PERSON = "the person's details, field by field: identity, contact, residence"
    REFERRAL = "the referral's categories; its metadata by sender and addressee"
    OWN = "only the agency that recorded it (and auditors)"


class Recorder(Enum):
    """Who may record an event of the type."""

    ANY_CASEWORKER = "any caseworker"
    RELATED = "a related agency"
    OBTAINER = "the agency that obtained it or the lead agency, never a recipient"
    ADDRESSEE = "the addressed agency"
    LEAD = "the lead agency"
    DPO = "a data-protection officer, for their controller's part"


@dataclass(frozen=True)
class Label:
    de: str
    en: str


@dataclass(frozen=True)
class Declaration:
    read_under: Category | Reading
    recorded_by: Recorder
    label: Label
    # Personal fields, sealed with the case's key, so erasing the key erases them;
    # "milestones.title": the title of each milestone in the list. What an audit and the
    # statistics need stays in clear: agencies, ids, purposes, categories, statuses, and
    # the dates and results that move a case's state. Identity, contact, residence,
    # qualification details and every free text are sealed.
    sealed: tuple[str, ...] = ()
    # May still be recorded once the case is closed.
    on_closed_case: bool = False
    # A request that records one (the contract's example).
    example: Mapping[str, Any] = field(default_factory=dict)
    # What the case adds to that request as it records it (the ids it gives, the fields
    # it fills in): with the request, the example of the event as answers show it.
    recorded: Mapping[str, Any] = field(default_factory=dict)


F = TypeVar("F", bound=Callable[..., Any])


def records(event_class: type) -> Callable[[F], F]:
    """Marks the command that records `event_class` (one command per event type)."""

    def mark(command: F) -> F:
        command.__records__ = event_class  # type: ignore[attr-defined]
        return command

    return mark


def recorded_by(command: Callable[..., Any]) -> type | None:
    """The event class a command records, if it is marked."""
    found: type | None = getattr(command, "__records__", None)
    return found
