"""One line of an import: an existing case and its whole history (docs/import.md).

Each event's `data` is validated by the contract's own request models
(api/requests.py), so an imported event fits exactly what POST would accept. The
line's model is generated from those models, one event model per type, so a line is
validated in one call (the bulk of the import's parsing time).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
)

from coordination.contract.requests import EVENT_BODIES, FIRST_DAY, OpenCase, Slug
from coordination.domain.case import CaseOpened
from coordination.domain.identity import Actor
from coordination.services.importing.problems import LineProblem, LineRefused

DEFAULT_LABEL = "import"
OPENING = CaseOpened.__name__


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A label is shown wherever the event is: printable text only.
Label = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]{1,200}$")]


class RecordedBy(Strict):
    agency: Slug
    token_label: Label = DEFAULT_LABEL


def _data_models() -> dict[str, type[BaseModel]]:
    """Event type -> the model of its data: the request body, its `type` optional."""
    models: dict[str, type[BaseModel]] = {OPENING: OpenCase}
    for name, body in EVENT_BODIES.items():
        # In a line the type stands beside the data; inside it may only repeat it.
        models[name] = create_model(f"{name}Data", __base__=body, type=(_literal(name), name))
    return models


def _literal(name: str) -> Any:
    return Literal[name]


def _event_model(name: str, data: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        f"Imported{name}", __base__=Strict, type=(_literal(name), ...),
        recorded_at=(AwareDatetime, ...), recorded_by=(RecordedBy, ...), data=(data, ...),
    )  # fmt: skip


def _events(models: tuple[type[BaseModel], ...]) -> Any:
    """At least one event, each told apart by its `type`."""
    tagged = Annotated[Union[models], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007 (built at run time)
    return Annotated[list[tagged], Field(min_length=1)]


DATA_MODELS = _data_models()
KINDS = tuple(DATA_MODELS)
CaseLine = create_model(
    "CaseLine", __base__=Strict, case_id=(UUID, ...),
    events=(_events(tuple(_event_model(k, d) for k, d in DATA_MODELS.items())), ...),
)  # fmt: skip


@dataclass(frozen=True)
class ImportedEvent:
    kind: str
    at: datetime
    by: Actor
    fields: dict[str, Any]  # as the Case command takes them


@dataclass(frozen=True)
class ImportedCase:
    line: int
    case_id: UUID
    events: list[ImportedEvent]


def parse_line(number: int, raw: bytes | str, now: datetime) -> ImportedCase:
    """The case on this line, or LineRefused naming every problem the schema finds."""
    try:
        line: Any = CaseLine.model_validate_json(raw)
    except ValidationError as invalid:
        raise LineRefused([_problem(number, e) for e in invalid.errors()]) from None
    case = ImportedCase(number, line.case_id, [_event(e) for e in line.events])
    if problems := _history_problems(case, now):
        raise LineRefused(problems)
    return case


def _event(line: Any) -> ImportedEvent:
    by = Actor(line.recorded_by.agency, line.recorded_by.token_label)
    return ImportedEvent(line.type, line.recorded_at, by, line.data.model_dump(exclude={"type"}))


def _problem(number: int, error: Any) -> LineProblem:
    # Only type, place and message: the submitted input is never echoed (personal data).
    code = "bad-request" if error["type"] == "json_invalid" else "validation-error"
    loc = tuple(error["loc"])
    if len(loc) > 2 and loc[0] == "events" and loc[2] in KINDS:
        loc = loc[:2] + loc[3:]  # the union's tag: the event's type is known from the line
    event = loc[1] if len(loc) > 1 and loc[0] == "events" and isinstance(loc[1], int) else None
    return LineProblem(number, code, error["msg"], loc, event)


def _history_problems(case: ImportedCase, now: datetime) -> list[LineProblem]:
    """A history starts with its opening, and its times run forward, up to now."""
    problems = []
    previous = datetime.combine(FIRST_DAY, datetime.min.time(), now.tzinfo)
    for i, event in enumerate(case.events):
        if (event.kind == OPENING) != (i == 0):
            where, detail = "type", "a case's first event, and only its first, is CaseOpened"
        elif not previous <= event.at <= now:
            where, detail = "recorded_at", "times run forward, from 1900 to now, within a case"
        else:
            previous = event.at
            continue
        problems.append(LineProblem(case.line, "validation-error", detail, ("events", i, where), i))
    return problems
