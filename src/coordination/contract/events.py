"""Events as the contract shows them: in a case's history, in the answer to a write, in an
agency's change feed and in a webhook's delivery, always in these shapes.

Each event type has its model, derived from the catalogue: `type` its name, `data` its
fields as a reader may see them (`domain/visibility.py`). A view removes fields (a
withheld category, free text for a data-protection officer), blanks the sealed ones of a
part whose key is destroyed, or shows only `{"erased": true}` of an erased case: so no
field of `data` is required, and sealed ones may be null. Values are described as they
are stored, not as a request is checked: an event recorded under older rules still fits.
Every answer is built through its model, so it keeps to the schema the document shows.
"""

from dataclasses import KW_ONLY
from datetime import UTC, datetime
from functools import cache
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Literal,
    NotRequired,
    TypeAlias,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from coordination.contract import examples
from coordination.domain.case import CaseEvent
from coordination.domain.catalogue import CATALOGUE, METADATA, EventType, event_data, event_type
from coordination.domain.values import Person
from coordination.domain.visibility import View


def in_utc(moment: datetime) -> datetime:
    """An instant as every answer writes it: in UTC (`2026-09-01T09:00:00Z`); one
    without an offset is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# An instant in an answer: RFC 3339 in UTC, `Z` for the offset. A calendar day is a `date`.
Instant = Annotated[datetime, AfterValidator(in_utc)]
ANSWER = ConfigDict(extra="forbid")  # a key the model does not name is a programming error


class RecordedBy(BaseModel):
    model_config = ANSWER

    agency: str
    token_label: str
    # The pseudonymous id of the person who acted in the web app; absent for a system.
    user: str | None = None


def as_stored(hint: Any) -> Any:
    """The type a stored value of `hint` has in an answer: kinds and codes as plain
    values, a dict's shape (a TypedDict) as its model, instants in UTC."""
    origin = get_origin(hint)
    if origin is Annotated:
        base, *meta = get_args(hint)
        shapes = [m for m in meta if is_typeddict(m)]
        return shape_out(shapes[0]) if shapes else as_stored(base)
    if origin in (UnionType, Union):
        return Union[tuple(as_stored(a) for a in get_args(hint))]  # noqa: UP007 (built at run time)
    if origin is list:
        return list[as_stored(get_args(hint)[0])]  # type: ignore[misc]
    if origin is NotRequired:
        return as_stored(get_args(hint)[0])
    return Instant if hint is datetime else hint


def _shaped(hint: Any) -> bool:
    """Whether a command's parameter says what shape its dict has."""
    return is_typeddict(hint) or any(_shaped(a) for a in get_args(hint))


def _optional(kind: Any, nullable: bool, description: str | None = None) -> tuple[Any, Any]:
    """A field a view may leave out; null only where `nullable`."""
    if nullable:
        return kind | None, Field(None, description=description)
    # Left out, never null: no default in the schema, None only stands for "not set".
    return kind, Field(None, description=description, json_schema_extra=_no_default)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


@cache
def shape_out(typed_dict: type) -> type[BaseModel]:
    """A nested part of an event as answers show it (`Person` -> `PersonOut`): a view may
    leave out any key of it (the person's contact, a representative's name) or blank it
    (its key destroyed)."""
    hints = get_type_hints(typed_dict, include_extras=True)
    fields: dict[str, Any] = {n: _optional(as_stored(h), nullable=True) for n, h in hints.items()}
    model: type[BaseModel] = create_model(f"{typed_dict.__name__}Out", __config__=ANSWER, **fields)
    return model


def stored_fields(t: EventType) -> dict[str, Any]:
    """An event type's fields, as what it stores or, for a dict, as the shape its
    command's parameter of that name, or the field itself, gives it."""
    hints = get_type_hints(t.event, include_extras=True)
    given = dict(get_type_hints(t.command, include_extras=True))
    return {
        name: given[name] if _shaped(given.get(name)) else hint
        for name, hint in hints.items()
        if name not in METADATA and get_origin(hint) is not ClassVar and hint is not KW_ONLY
    }


ERASED = "true: the case was erased; nothing else of the event is shown"


def data_model(t: EventType) -> type[BaseModel]:
    """`data` of one event type: `ReferralSent` -> `ReferralSentData`."""
    sealed = set(t.declared.sealed)
    fields: dict[str, Any] = {
        name: _optional(as_stored(hint), name in sealed or _nullable(hint))
        for name, hint in stored_fields(t).items()
    }
    fields["erased"] = (bool, Field(False, description=ERASED))
    model: type[BaseModel] = create_model(f"{t.name}Data", __config__=ANSWER, **fields)
    return model


def _nullable(hint: Any) -> bool:
    return get_origin(hint) in (UnionType, Union) and type(None) in get_args(hint)


def example_data(t: EventType) -> dict[str, Any]:
    """`data` of the event the type's example request records, whole."""
    given = {**t.declared.example, **t.declared.recorded}
    return {name: given[name] for name in stored_fields(t) if name in given}


def example_event(t: EventType, version: int = 2) -> dict[str, Any]:
    """An event of the type as its reader sees it whole, for the document's examples."""
    return {"type": t.name, "version": version, "recorded_at": examples.AT,
            "recorded_by": examples.RECORDED_BY, "data": example_data(t)}  # fmt: skip


def event_model(t: EventType) -> type[BaseModel]:
    """One event type as answers show it: `ReferralSent` -> `ReferralSentOut`."""
    fields: dict[str, Any] = {
        "type": (Literal[t.name], ...),
        "version": (int, ...),
        "recorded_at": (Instant, ...),
        "recorded_by": (RecordedBy, ...),
        "data": (data_model(t) | None, Field(description="what happened; null: withheld whole")),
        "withheld": _optional(list[str], False, "the categories withheld from this reader"),
    }
    extra = {"description": t.declared.label.en, "examples": [example_event(t)]}
    config = ConfigDict(**ANSWER, json_schema_extra=extra)  # type: ignore[typeddict-item]
    model: type[BaseModel] = create_model(f"{t.name}Out", __config__=config, **fields)
    return model


def feed_item_model(out: type[BaseModel], t: EventType) -> type[BaseModel]:
    """An entry of an agency's feed: `ReferralSentOut` -> `ReferralSentItem`."""
    position = Field(description="the entry's number in this agency's feed: 1, 2, 3 …")
    example = example_event(t) | {"position": 41, "case_id": examples.CASE_ID}
    config = out.model_config | {"json_schema_extra": {"examples": [example]}}
    model: type[BaseModel] = create_model(
        f"{t.name}Item", __base__=out, __config__=config, position=(int, position),
        case_id=(UUID, ...),
    )  # fmt: skip
    return model


EVENT_OUTS: dict[str, type[BaseModel]] = {name: event_model(t) for name, t in CATALOGUE.items()}
FEED_ITEMS: dict[str, type[BaseModel]] = {
    name: feed_item_model(EVENT_OUTS[name], t) for name, t in CATALOGUE.items()
}
if TYPE_CHECKING:  # built at run time: a type checker knows them as models
    EventOut: TypeAlias = BaseModel
    FeedItemOut: TypeAlias = BaseModel
    PersonOut: TypeAlias = BaseModel
else:
    PersonOut = shape_out(Person)  # as the case's state shows the person too
    # The union of every event type, told apart by `type`.
    EventOut = Annotated[Union[tuple(EVENT_OUTS.values())], Field(discriminator="type")]  # noqa: UP007
    FeedItemOut = Annotated[Union[tuple(FEED_ITEMS.values())], Field(discriminator="type")]  # noqa: UP007


def event_out(event: CaseEvent, view: View | None = None) -> dict[str, Any]:
    """The event as JSON, as `view` shows it (by default whole)."""
    return _answer(EVENT_OUTS, _fields(event, view))


def feed_item_out(position: int, case_id: UUID, event: CaseEvent, view: View) -> dict[str, Any]:
    """An entry of an agency's feed: its number there, its case, the event as seen."""
    return _answer(FEED_ITEMS, _fields(event, view) | {"position": position, "case_id": case_id})


def _fields(event: CaseEvent, view: View | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": event_type(event),
        "version": event.originator_version,
        "recorded_at": event.timestamp,
        "recorded_by": recorded_by(event),
        "data": event_data(event) if view is None else view.data,
    }
    if view is not None and view.withheld:
        out["withheld"] = sorted(view.withheld)
    return out


def _answer(models: dict[str, type[BaseModel]], fields: dict[str, Any]) -> dict[str, Any]:
    # Only what was given: a key a view left out stays out, a null stays null.
    model = models[fields["type"]].model_validate(fields)
    return model.model_dump(mode="json", exclude_unset=True)


def recorded_by(event: CaseEvent) -> dict[str, str]:
    """The agency and credential; the person too, when one acted in the web app."""
    by = {"agency": event.recorded_by, "token_label": event.token_label}
    return by | {"user": event.user} if event.user else by
