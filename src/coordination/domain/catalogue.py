"""The catalogue: every event type a case records, with its declaration and its command.

Built from the parts of `Case`: each command marked `@records(EventClass)` catalogues
that event class, in the order the parts and their commands are written. Whatever
differs by event type is read here: who reads it (`visibility.py`), which fields are
sealed (the store's mapper), its labels (reports), the request each command takes
(`coordination.contract`) and docs/events.md.
"""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from coordination.domain.case import Case, CaseEvent, CaseOpened, Event
from coordination.domain.case.event import CasePart
from coordination.domain.declaration import Declaration, Recorder, recorded_by
from coordination.domain.identity import Actor
from coordination.domain.values import Supplied

# Recorded through POST /v1/cases/{case_id}/events (the others have endpoints of their own).
POSTED = frozenset({Recorder.RELATED, Recorder.OBTAINER, Recorder.ADDRESSEE, Recorder.LEAD})


@dataclass(frozen=True)
class EventType:
    event: type[Event] | type[CaseOpened]
    command: Callable[..., Any]  # the Case method, unbound (for `open`, the class method)

    @property
    def name(self) -> str:
        return self.event.__name__

    @property
    def declared(self) -> Declaration:
        return self.event.declared

    @property
    def posted(self) -> bool:
        return self.declared.recorded_by in POSTED

    @cached_property
    def parameters(self) -> list[tuple[str, Any, Any]]:
        """The command's request: (name, annotation, default) of each keyword parameter
        the caller gives, in order. `inspect.Parameter.empty` marks a required one."""
        hints = get_type_hints(self.command, include_extras=True)
        return [
            (p.name, hints[p.name], p.default)
            for p in self._keywords()
            if p.name not in self.supplied
        ]

    @cached_property
    def supplied(self) -> frozenset[str]:
        """Parameters the application gives the command (lookups, the new case's id)."""
        hints = get_type_hints(self.command, include_extras=True)
        return frozenset(p.name for p in self._keywords() if _is_supplied(hints[p.name]))

    def decide(
        self, case: Case, by: Actor, at: datetime, fields: Mapping[str, Any], **supplied: Any
    ) -> object:
        """Runs the command with the caller's fields, and of what the application can
        supply (lookups) whatever the command takes."""
        given = {name: value for name, value in supplied.items() if name in self.supplied}
        return self.command(case, by, at, **fields, **given)

    def _keywords(self) -> list[inspect.Parameter]:
        parameters = inspect.signature(self.command).parameters.values()
        return [p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _is_supplied(annotation: Any) -> bool:
    return get_origin(annotation) is Annotated and Supplied in get_args(annotation)[1:]


def _catalogue() -> dict[str, EventType]:
    found: dict[str, EventType] = {}
    for part in Case.__mro__:
        if not issubclass(part, CasePart) or part is CasePart:
            continue
        for attribute in vars(part).values():
            command = attribute.__func__ if isinstance(attribute, classmethod) else attribute
            event = recorded_by(command) if callable(command) else None
            if event is not None:
                assert event.__name__ not in found, f"{event.__name__} has two commands"
                found[event.__name__] = EventType(event, command)
    return found


CATALOGUE: Mapping[str, EventType] = _catalogue()
# The events a caseworker posts to a case, in catalogue order.
POSTED_TYPES: tuple[EventType, ...] = tuple(t for t in CATALOGUE.values() if t.posted)

# What every event carries besides its data (its envelope).
METADATA = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp",
     "recorded_by", "token_label", "user", "_erased"}
)  # fmt: skip


def declared(event_type_name: str) -> Declaration:
    return CATALOGUE[event_type_name].declared


def event_type(event: CaseEvent) -> str:
    return type(event).__name__


def event_data(event: CaseEvent) -> dict[str, Any]:
    """What happened, without the envelope every event carries."""
    return {k: v for k, v in vars(event).items() if k not in METADATA}
