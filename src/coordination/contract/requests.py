"""Request bodies of the contract, derived from the catalogue's commands.

A command's keyword parameters are its request: their kinds (`domain/values.py`) become
the checks below, their defaults the body's defaults. Unknown fields are refused
(extra="forbid"). The bodies of POST /v1/cases/{case_id}/events are told apart by
`type`.
"""

import inspect
import types
from datetime import date
from enum import Enum
from functools import cache
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Literal,
    NotRequired,
    TypeAlias,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from pydantic import MISSING, BaseModel, ConfigDict, Field, StringConstraints, create_model

from coordination.domain.catalogue import CATALOGUE, POSTED_TYPES, EventType
from coordination.domain.rules import SLUG
from coordination.domain.values import Items, Kind, Unchanged

# Days this service can reason about: a validity "until 9999-12-31" would end after the
# last day Python can count to, and break every reader of the case (found by fuzzing).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
# The same range as the schema's pattern (a date's bounds are not JSON Schema's), so a
# request generated from the document stays inside it: days, and instants as written.
YEARS = r"^(19|2[0-9])[0-9]{2}-"
IN_YEARS: dict[str, Any] = {"pattern": YEARS + r"[0-9]{2}-[0-9]{2}$"}
AS_WRITTEN_IN_YEARS: dict[str, Any] = {"pattern": YEARS}
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY, json_schema_extra=IN_YEARS)]
# No NUL: these go to the access log, a text column PostgreSQL refuses NUL in.
NO_NUL = r"^[^\x00]*$"

UUID_TEXT = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CHECKS: dict[Kind, Any] = {
    Kind.SLUG: Annotated[str, StringConstraints(pattern=f"^{SLUG.pattern}$")],
    Kind.TEXT: Annotated[str, StringConstraints(min_length=1, max_length=2000)],
    Kind.SHORT_TEXT: Annotated[str, StringConstraints(min_length=1, max_length=200)],
    Kind.DAY: Day,
    Kind.COUNTRY: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")],
    Kind.LANGUAGE: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")],
    Kind.PHONE: Annotated[str, StringConstraints(max_length=40)],
    Kind.EMAIL: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")],
    Kind.ERASURE_REASON: Annotated[
        str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)
    ],
    Kind.CASE_ID: Annotated[str, StringConstraints(pattern=UUID_TEXT)],
    Kind.LEGAL_BASIS: Annotated[
        str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)
    ],
}
Slug = CHECKS[Kind.SLUG]


CONFIG = ConfigDict(extra="forbid", use_enum_values=True)


def checked(annotation: Any) -> Any:
    """The type pydantic checks a parameter's value with."""
    if get_origin(annotation) is Annotated:
        base, *meta = get_args(annotation)
        return _annotated(base, meta)
    if get_origin(annotation) in (types.UnionType, Union):
        return Union[tuple(checked(a) for a in get_args(annotation))]  # noqa: UP007 (built at run time)
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return list[checked(item)]  # type: ignore[misc]
    # Left out, the field is missing from the body (not null), and the command's own
    # default keeps the value as it is.
    return MISSING if annotation is Unchanged else annotation


def _annotated(base: Any, meta: list[Any]) -> Any:
    for m in meta:
        if isinstance(m, Kind):
            return CHECKS[m]
        if isinstance(m, type) and issubclass(m, Enum):
            return m
        if is_typeddict(m):
            return shape(m)
        if isinstance(m, Items):
            return Annotated[checked(base), Field(min_length=m.least or None, max_length=m.most)]
    return checked(base)


@cache
def shape(typed_dict: type) -> type[BaseModel]:
    """A dict's shape as a model: a key that may be left out reads as None, or [] for a
    list."""
    fields: dict[str, Any] = {}
    for name, hint in get_type_hints(typed_dict, include_extras=True).items():
        if get_origin(hint) is NotRequired:
            (inner,) = get_args(hint)
            fields[name] = (checked(inner), [] if _is_list(inner) else None)
        else:
            fields[name] = (checked(hint), ...)
    return create_model(typed_dict.__name__, __config__=CONFIG, **fields)


def _is_list(hint: Any) -> bool:
    return get_origin(get_args(hint)[0] if get_origin(hint) is Annotated else hint) is list


def request_model(event_type: EventType, name: str, tagged: bool) -> type[BaseModel]:
    """The body that records one event of the type; `tagged` bodies carry its `type`."""
    # `type` is required, and its default in the schema lets a generated client fill it
    # in: a client's model per event type knows its type.
    tag = Field(..., json_schema_extra={"default": event_type.name})
    fields: dict[str, Any] = {"type": (Literal[event_type.name], tag)} if tagged else {}
    for parameter, annotation, default in event_type.parameters:
        required = default is inspect.Parameter.empty
        given = MISSING if isinstance(default, Unchanged) else default
        fields[parameter] = (checked(annotation), ... if required else given)
    example = ({"type": event_type.name} if tagged else {}) | dict(event_type.declared.example)
    config = ConfigDict(**CONFIG, json_schema_extra={"examples": [example]})
    return create_model(name, __config__=config, **fields)


EVENT_BODIES: dict[str, type[BaseModel]] = {
    t.name: request_model(t, t.name, tagged=True) for t in POSTED_TYPES
}
if TYPE_CHECKING:  # built at run time: a type checker knows them as models
    OpenCase: TypeAlias = BaseModel
    ErasureRequest: TypeAlias = BaseModel
    EventIn: TypeAlias = BaseModel
else:
    OpenCase = request_model(CATALOGUE["CaseOpened"], "OpenCase", tagged=False)
    ErasureRequest = request_model(CATALOGUE["CaseErased"], "ErasureRequest", tagged=False)
    bodies = Union[tuple(EVENT_BODIES.values())]  # noqa: UP007 (a union built at run time)
    EventIn = Annotated[bodies, Field(discriminator="type")]
