"""The application service: load a case, let it decide, save, report the position."""

import asyncio
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

import structlog
from anyio import to_thread
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Notification,
    Recording,
    StoredEvent,
)
from eventsourcing.utils import Environment

from coordination.adapters.store.case_rows import LoopCaseReads
from coordination.adapters.store.database import Database
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.group_commit import GroupCommit
from coordination.adapters.store.idempotency import (
    IdempotencyRequest,
    IdempotencyStore,
    IdempotencyTimes,
)
from coordination.adapters.store.keys import CaseKeys
from coordination.adapters.store.loop_pool import LoopPool
from coordination.adapters.store.recorders import PositionLookup, RowWrite
from coordination.adapters.store.sealing import SealingMapper
from coordination.adapters.store.transcodings import DateAsISO, register_state_transcodings
from coordination.adapters.store.url import StoreConfig
from coordination.application import snapshots
from coordination.application.case_cache import CaseCache
from coordination.application.errors import CaseNotFound, Contended, VersionMismatch
from coordination.application.pipeline import (
    Commit,
    Load,
    Pause,
    Replay,
    Snapshots,
    Step,
    Steps,
    Write,
    run,
    run_on_loop,
)
from coordination.domain.case import Case, CaseEvent, CaseOpened
from coordination.domain.identity import Actor

log = structlog.get_logger()

# Each retry re-reads the case and decides again, so a lost race costs one
# reload; the cap only stops a pathological livelock.
MAX_ATTEMPTS = 60


@dataclass(frozen=True)
class Recorded:
    """What a write returns: the new version, the event, and its store position."""

    case_id: UUID
    version: int
    position: int
    event: CaseEvent
    replayed: bool = False


def project_case(case: Case | None, events: Iterable[Any]) -> Case | None:
    """The library's `project_aggregate` without its per-event `isinstance` check against
    a runtime-checkable Protocol, which took longer than applying the event (ADR 0025)."""
    for event in events:
        case = event.mutate(case)
    return case


def utc_now() -> datetime:
    return datetime.now(UTC)


class CoordinationApplication(Application[UUID]):
    """Cases, stored with the group committer, sealed with their keys. Every write runs
    `write` (or `open`): claim, load, decide, seal, save, answer."""

    name = "Coordination"
    # A snapshot every 100 events: a load reads one snapshot and at most 99 events
    # (ADR 0020).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Case: 100}

    def __init__(
        self, env: dict[str, str], store: StoreConfig, master_key: bytes, *,
        clock: Callable[[], datetime] = utc_now, idempotency: IdempotencyTimes,
        on_saved: Callable[[], None] = lambda: None, cached_cases: int = 2_000,
    ) -> None:  # fmt: skip
        self.store, self.master_key, self.clock = store, master_key, clock
        self.idempotency_times = idempotency
        super().__init__(env)
        # Wakes this process's projection runner, if it has one, after each commit.
        self.on_saved = on_saved
        self.latest = CaseCache(cached_cases)
        self.committer = GroupCommit(
            lambda events, rows: self.recorder.insert_events(events, also=list(rows))
        )
        self.loop_reads = self._loop_reads()

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        # The service's own tables, the case keys and the loop's pool share the event
        # store's datastore.
        factory = super().construct_factory(env)
        datastore = factory.datastore  # type: ignore[attr-defined]
        self.db = Database(datastore, self.store.dialect, self.store.schema)
        self.keys = CaseKeys(self.db, self.master_key)
        self.directory = Directory(self.db, self.clock)
        self.idempotency = IdempotencyStore(self.db, self.clock, *self.idempotency_times)
        self.loop_pool = LoopPool(datastore)
        return factory

    def construct_mapper(self) -> Mapper[UUID]:
        return SealingMapper(self.construct_transcoder(), self.keys, self.directory.controller_of)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        register_state_transcodings(transcoder)

    def _loop_reads(self) -> LoopCaseReads | None:
        """Loads on the event loop over the loop pool (PostgreSQL, ADR 0030)."""
        if not self.loop_pool.postgres or self.snapshots is None:
            return None
        recorders = {"events": self.recorder, "snapshots": self.snapshots.recorder}
        return LoopCaseReads(self.loop_pool, self.keys, self.mapper, recorders)

    def start(self) -> None:
        self.committer.start()

    def close(self) -> None:
        self.committer.close()
        super().close()

    # Reading

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        try:
            case = self.repository.get(case_id, version=version, projector_func=project_case)
        except AggregateNotFoundError:
            raise CaseNotFound from None
        if not isinstance(case, Case):  # another stream of the store: the rule book
            raise CaseNotFound
        return case

    def history(self, case_id: UUID, after: int = 0, upto: int | None = None) -> list[CaseEvent]:
        """The case's events after version `after`, up to `upto` (by default all)."""
        events = list(self.events.get(case_id, gt=after or None, lte=upto))
        if after == 0 and (not events or not isinstance(events[0], CaseOpened)):
            raise CaseNotFound
        return events  # type: ignore[return-value]

    def position_of(self, case_id: UUID, version: int) -> int:
        """The store-wide position of one event, for replayed responses."""
        recorder = self.recorder
        assert isinstance(recorder, PositionLookup)
        position = recorder.position_of(case_id, version)
        if position is None:
            raise CaseNotFound
        return position

    def replay(self, idem: IdempotencyRequest) -> Recorded | None:
        """The first response to this key, rebuilt from its stored event, if any."""
        stored = self.idempotency.find(idem)
        if stored is None:
            return None
        case_id = UUID(stored.case_id)
        (event,) = self.events.get(case_id, gt=stored.version - 1, lte=stored.version)
        position = self.position_of(case_id, stored.version)
        return Recorded(case_id, stored.version, position, event, replayed=True)  # type: ignore[arg-type]

    # Writing: the sequence every write runs (pipeline.py runs it in a thread or on the loop)

    def record(self, w: Write) -> Recorded:
        """`write`, in this thread."""
        return run(self.write(w), self.perform)

    async def record_on_loop(self, w: Write) -> Recorded:
        """`write`, on the event loop (ADR 0028)."""
        return await run_on_loop(self.write(w), self.perform_on_loop)

    def open_case(
        self, by: Actor, fields: dict[str, Any], idem: IdempotencyRequest | None = None
    ) -> Recorded:
        return run(self.open(by, fields, idem), self.perform)

    def write(self, w: Write) -> Steps[Recorded]:
        """Claim the key, then load, decide, seal, save and answer, deciding again on the
        newest state after a lost race."""
        return (yield from self._once(w.idem, self._attempts(w)))

    def open(
        self, by: Actor, fields: dict[str, Any], idem: IdempotencyRequest | None
    ) -> Steps[Recorded]:
        """A new case, saved as any write is. Only its key's result can clash."""
        return (yield from self._once(idem, self._opened(by, fields, idem)))

    def _once(self, idem: IdempotencyRequest | None, steps: Steps[Recorded]) -> Steps[Recorded]:
        """At most one write per key: the key claimed while `steps` run; a failure answers
        the key's first answer if one is stored (ADR 0024)."""
        with self.idempotency.claimed(idem):
            try:
                return (yield from steps)
            except Exception as failed:
                replay = (yield Replay(idem)) if idem else None
                if replay is None:
                    raise failed from None
                return replay  # type: ignore[no-any-return]

    def _opened(
        self, by: Actor, fields: dict[str, Any], idem: IdempotencyRequest | None
    ) -> Steps[Recorded]:
        return (yield from self._saved(Case.open(by, self.clock(), **fields), idem, ()))

    def _attempts(self, w: Write) -> Steps[Recorded]:
        for attempt in range(MAX_ATTEMPTS):
            case = yield from self._decided(w, fresh=attempt > 0)
            try:
                return (yield from self._saved(case, w.idem, w.also))
            except IntegrityError:
                # Another writer took the version, or our own key committed meanwhile.
                if w.idem and (replay := (yield Replay(w.idem))) is not None:
                    return replay  # type: ignore[no-any-return]
                # Jitter spreads writers that collided so they do not collide again.
                yield Pause(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))  # noqa: S311
        raise Contended

    def _decided(self, w: Write, fresh: bool) -> Steps[Case]:
        """Decide on the case this process holds if any; a refusal there may come from a
        stale copy, so only a decision on the stored case may refuse."""
        held = None if fresh else self.latest.take(w.case_id)
        if held is not None:
            try:
                return self._decide(held, w)
            except Exception:  # noqa: S110 (decided again below, on the stored case)
                pass
        stored: Case = yield Load(w.case_id)
        return self._decide(stored, w)

    def _decide(self, case: Case, w: Write) -> Case:
        if w.related_only and w.by.agency not in case.involved:
            raise CaseNotFound
        if w.expected_version is not None and case.version != w.expected_version:
            raise VersionMismatch(case.version)
        w.decide(case, self.clock())
        return case

    def _saved(
        self, case: Case, idem: IdempotencyRequest | None, also: Sequence[RowWrite]
    ) -> Steps[Recorded]:
        """Seal the case's new events, commit them with their rows, answer."""
        processing, _, positions = yield from self._committed(
            case, [*also, *self._result_row(case, idem)]
        )
        self.latest.keep(case)  # the next write to it starts from here
        event = processing.events[-1]
        return Recorded(case.id, case.version, positions[-1], event)  # type: ignore[arg-type]

    def _committed(
        self, case: Case, rows: Sequence[RowWrite]
    ) -> Steps[tuple[ProcessingEvent[UUID], list[StoredEvent], Sequence[int]]]:
        processing = ProcessingEvent[UUID]()
        processing.collect_events(case)
        stored = [self.mapper.to_stored_event(e) for e in processing.events]
        positions: Sequence[int] = yield Commit(stored, rows)
        if any(snapshots.due(processing, self.snapshotting_intervals)):
            yield Snapshots(processing)
        self.on_saved()
        return processing, stored, positions

    def _result_row(self, case: Case, idem: IdempotencyRequest | None) -> list[RowWrite]:
        """The key's result commits with the event (ADR 0003)."""
        if idem is None:
            return []
        return [self.idempotency.result_row(idem, str(case.id), case.version, 201)]

    # Performing the steps

    def perform(self, step: Step) -> Any:
        """A step, in the calling thread."""
        match step:
            case Load(case_id=case_id):
                return self.get_case(case_id)
            case Commit(events=events, rows=rows):
                return self.committer.submit(events, rows)
            case Replay(idem=idem):
                return self.replay(idem)
            case Pause(seconds=seconds):
                time.sleep(seconds)
            case Snapshots(processing=processing):
                self.take_due_snapshots(processing)
        return None

    async def perform_on_loop(self, step: Step) -> Any:
        """A step, on the event loop: a load over the loop's pool where it can (ADR 0030),
        a commit awaited; what blocks goes to a worker thread."""
        match step:
            case Load(case_id=case_id) if case := await self._load_on_loop(case_id):
                return case
            case Commit(events=events, rows=rows):
                return await self.committer.submit_async(events, rows)
            case Pause(seconds=seconds):
                await asyncio.sleep(seconds)
                return None
        return await to_thread.run_sync(self.perform, step)

    async def _load_on_loop(self, case_id: UUID) -> Case | None:
        # None: no case key (no such case) or a destroyed one (erased): a thread decides.
        if self.loop_reads is None or not self.loop_pool.open:
            return None
        events = await self.loop_reads.events(case_id)
        return None if events is None else project_case(None, events)

    def take_due_snapshots(self, processing: ProcessingEvent[UUID]) -> None:
        # The events are committed: a snapshot that fails must not fail the save.
        for case, version in snapshots.due(processing, self.snapshotting_intervals):
            try:
                self._snapshot(case, version)
            except Exception as error:  # logged; the next interval tries again
                log.warning("snapshot not taken", case_id=str(case.id), error=type(error).__name__)

    def _snapshot(self, case: Any, version: int) -> None:
        if case.version != version:  # a save of several events: rebuild that version
            self.take_snapshot(case.id, version, projector_func=project_case)
            return
        assert self.snapshots is not None
        self.snapshots.put([snapshots.take(case)])

    # The library's save, for cases decided by hand (tests, demo data): sealed, committed
    # and answered as every write is.

    def save(self, *cases: Any, **_: Any) -> list[Recording[UUID]]:
        recordings = []
        for case in (c for c in cases if c is not None):
            processing, stored, positions = run(self._committed(case, ()), self.perform)
            recordings += [
                Recording(e, Notification(id=p, originator_id=s.originator_id,
                    originator_version=s.originator_version, topic=s.topic, state=s.state))
                for e, s, p in zip(processing.events, stored, positions, strict=True)
            ]  # fmt: skip
        return recordings
