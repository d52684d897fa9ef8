"""One write, one sequence of steps, run in a thread or on the event loop.

A write is a generator (`CoordinationApplication.write`): it claims the idempotency key,
then loads the case, lets it decide, seals its events and saves them, and answers. What
it needs from outside itself (a case from the store, a commit, a stored answer to replay,
a pause after a lost race, the snapshots a save is due) it yields as a step, and gets the
step's result back, or its error thrown in. `run` performs the steps in the calling
thread; `run_on_loop` awaits them on the event loop, where a commit wakes the loop
instead of a thread (ADR 0028). The two differ only in how they perform a step, never in
what the write does.
"""

from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import StoredEvent

from coordination.adapters.store.idempotency import IdempotencyRequest
from coordination.adapters.store.recorders import RowWrite
from coordination.domain.case import Case
from coordination.domain.identity import Actor

T = TypeVar("T")

Decision = Callable[[Case, datetime], object]


@dataclass(frozen=True)
class Write:
    """One event to record on one case: who writes, what the case is to decide, and what
    must hold (the version expected, the idempotency key)."""

    case_id: UUID
    by: Actor
    decide: Decision
    expected_version: int | None = None
    idem: IdempotencyRequest | None = None
    # Data-protection officers act on any case of their municipality, related or not.
    related_only: bool = True
    # Rows that commit in the event's transaction.
    also: Sequence[RowWrite] = field(default_factory=tuple)


@dataclass(frozen=True)
class Load:
    """The case as stored (raises CaseNotFound)."""

    case_id: UUID


@dataclass(frozen=True)
class Commit:
    """The events and rows in one transaction; their positions (raises IntegrityError)."""

    events: Sequence[StoredEvent]
    rows: Sequence[RowWrite]


@dataclass(frozen=True)
class Replay:
    """The first answer to an idempotency key, if one was stored (or None)."""

    idem: IdempotencyRequest


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Snapshots:
    """The snapshots a committed save is due (ADR 0020)."""

    processing: ProcessingEvent[UUID]


Step = Load | Commit | Replay | Pause | Snapshots
Steps = Generator[Step, Any, T]


def run(steps: Steps[T], perform: Callable[[Step], Any]) -> T:
    """The write's steps, performed in this thread."""
    result: Any = None
    error: Exception | None = None
    while True:
        try:
            step = steps.send(result) if error is None else steps.throw(error)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        try:
            result, error = perform(step), None
        except Exception as failed:
            result, error = None, failed


async def run_on_loop(steps: Steps[T], perform: Callable[[Step], Awaitable[Any]]) -> T:
    """The write's steps, awaited on the running event loop."""
    result: Any = None
    error: Exception | None = None
    while True:
        try:
            step = steps.send(result) if error is None else steps.throw(error)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        try:
            result, error = await perform(step), None
        except Exception as failed:
            result, error = None, failed
