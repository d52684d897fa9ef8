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
from coordination.adapters.store.group_commit import GroupCommit
from coordination.adapters.store.idempotency import IdempotencyRequest, IdempotencyStore
from coordination.adapters.store.keys import CaseKeys
from coordination.adapters.store.loop_pool import LoopPool
from coordination.adapters.store.recorders import PositionLookup, RowWrite
from coordination.adapters.store.sealing import SealingMapper
from coordination.adapters.store.transcodings import DateAsISO, register_state_transcodings
from coordination.adapters.store.url import StoreConfig
from coordination.application import snapshots
from coordination.application.case_cache import CaseCache
from coordination.application.errors import CaseNotFound, Contended, VersionMismatch
from coordination.domain.case import Case, CaseEvent
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


def _recordings(
    events: Sequence[Any], stored: Sequence[StoredEvent], positions: Sequence[int]
) -> list[Recording[UUID]]:
    return [
        Recording(d, Notification(id=p, originator_id=s.originator_id,
            originator_version=s.originator_version, topic=s.topic, state=s.state))
        for d, s, p in zip(events, stored, positions, strict=True)
    ]  # fmt: skip


def utc_now() -> datetime:
    return datetime.now(UTC)


Decision = Callable[[Case, datetime], object]


class CoordinationApplication(Application[UUID]):
    name = "Coordination"
    # A snapshot every 100 events: a load reads one snapshot and at most 99 events
    # (ADR 0020).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Case: 100}

    # Set by the composition root: the store lives on this application's datastore.
    idempotency: IdempotencyStore
    # Set by the API's lifespan on PostgreSQL, where an async pool exists (ADR 0030).
    loop_reads: LoopCaseReads | None = None

    def __init__(
        self, env: dict[str, str], store: StoreConfig, master_key: bytes,
        clock: Callable[[], datetime] = utc_now, cached_cases: int = 2_000,
    ) -> None:  # fmt: skip
        self.store, self.master_key = store, master_key
        super().__init__(env)
        self.clock = clock
        self.on_saved: list[Callable[[], None]] = []
        self.latest = CaseCache(cached_cases)
        self.committer = GroupCommit(lambda events, also: self.recorder.insert_events(
            events, also=list(also)))  # fmt: skip

    def close(self) -> None:
        self.committer.close()
        super().close()

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        # The service's own tables and the case keys share the event store's pool.
        factory = super().construct_factory(env)
        datastore = factory.datastore  # type: ignore[attr-defined]
        self.db = Database(datastore, self.store.dialect, self.store.schema)
        self.keys = CaseKeys(self.db, self.master_key)
        self.keys.create_table()
        return factory

    def construct_mapper(self) -> Mapper[UUID]:
        return SealingMapper(self.construct_transcoder(), self.keys)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        # The library's own step, with the insert handed to the group committer.
        events = processing_event.events
        stored = [self.mapper.to_stored_event(e) for e in events]
        positions = self.committer.submit(stored, processing_event.saved_kwargs.get("also", ()))
        return _recordings(events, stored, positions)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        # The events are committed: a snapshot that fails must not fail the save.
        for case, version in snapshots.due(processing_event, self.snapshotting_intervals):
            try:
                self._take_snapshot(case, version)
            except Exception as error:  # logged; the next interval tries again
                log.warning("snapshot not taken", case_id=str(case.id), error=type(error).__name__)

    def _take_snapshot(self, case: Any, version: int) -> None:
        if case.version != version:  # a save of several events: rebuild that version
            self.take_snapshot(case.id, version, projector_func=project_case)
            return
        assert self.snapshots is not None
        self.snapshots.put([snapshots.take(case)])

    def _notify(self, recordings: list[Any]) -> None:
        # Wakes this process's projection runner at once after each commit.
        for listener in self.on_saved:
            listener()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        register_state_transcodings(transcoder)

    # Reading

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        try:
            case: Case = self.repository.get(case_id, version=version, projector_func=project_case)
        except AggregateNotFoundError:
            raise CaseNotFound from None
        return case

    def history(self, case_id: UUID) -> list[CaseEvent]:
        events = list(self.events.get(case_id))
        if not events:
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

    # Writing

    def open_case(
        self, by: Actor, idem: IdempotencyRequest | None = None, **fields: Any
    ) -> Recorded:
        case = Case.open(by, self.clock(), **fields)
        try:
            recorded = self._save(case, idem, status_code=201)
        except IntegrityError:
            # Only an idempotency result can clash on a new case: replay it.
            if idem and (replay := self.replay(idem)):
                return replay
            raise
        self.latest.keep(case)
        return recorded

    def record(
        self,
        case_id: UUID,
        by: Actor,
        decide: Decision,
        expected_version: int | None = None,
        idem: IdempotencyRequest | None = None,
        *,
        related_only: bool = True,
        also: list[RowWrite] | None = None,
    ) -> Recorded:
        """Record one event, deciding again on the newest state after a lost race.

        `related_only=False` is for data-protection officers, who act on any case of
        their municipality; `also` rows commit in the event's transaction."""
        decided = self._decider(by, decide, expected_version, related_only)
        for attempt in range(MAX_ATTEMPTS):
            case = self._decide(case_id, decided, fresh=attempt > 0)
            try:
                recorded = self._save(case, idem, status_code=201, also=also)
            except IntegrityError:
                # The clash may be our own key, committed by an earlier request.
                if idem and (replay := self.replay(idem)):
                    return replay
                self._back_off(attempt)
                continue
            self.latest.keep(case)
            return recorded
        raise Contended

    async def record_held(
        self, case_id: UUID, by: Actor, decide: Decision, expected_version: int | None = None,
        idem: IdempotencyRequest | None = None,
    ) -> Recorded | None:  # fmt: skip
        """`record` on the event loop, for a case this process holds (ADR 0028) or, on
        PostgreSQL, loads there (ADR 0030). None when the write must take `record`'s way
        instead: the case is not found so (no such case, or erased), the case refuses
        (a held copy may be stale: only the stored case may refuse), or the save clashed
        (another process wrote first, or the idempotency key is taken)."""
        case = self.latest.take(case_id)
        if case is None:
            case = await self._load_on_loop(case_id)
        if case is None:
            return None
        try:
            self._decider(by, decide, expected_version, related_only=True)(case)
        except Exception:
            return None
        event, processing = case.pending_events[-1], ProcessingEvent[UUID]()
        processing.collect_events(case, also=self._also(case, idem, 201, None))
        stored = [self.mapper.to_stored_event(e) for e in processing.events]
        try:
            positions = await self.committer.submit_async(stored, processing.saved_kwargs["also"])
        except IntegrityError:
            return None
        if any(snapshots.due(processing, self.snapshotting_intervals)):
            await asyncio.to_thread(self._take_snapshots, processing)
        self._notify(_recordings(processing.events, stored, positions))
        self.latest.keep(case)
        return Recorded(case.id, case.version, positions[-1], event)  # type: ignore[arg-type]

    def read_on_loop(self, pool: LoopPool) -> None:
        """Load cases for `record_held` over `pool` (ADR 0030); none on SQLite."""
        self.loop_reads = None
        if pool.available and self.snapshots is not None:
            recorders = {"events": self.recorder, "snapshots": self.snapshots.recorder}
            self.loop_reads = LoopCaseReads(pool, self.keys, self.mapper, recorders)

    async def _load_on_loop(self, case_id: UUID) -> Case | None:
        if self.loop_reads is None or (events := await self.loop_reads.events(case_id)) is None:
            return None
        return project_case(None, events)

    def _decider(
        self, by: Actor, decide: Decision, expected_version: int | None, related_only: bool
    ) -> Callable[[Case], Case]:
        def decided(case: Case) -> Case:
            if related_only:
                self.check_related(case, by.agency)
            if expected_version is not None and case.version != expected_version:
                raise VersionMismatch(case.version)
            decide(case, self.clock())
            return case

        return decided

    def _decide(self, case_id: UUID, decided: Callable[[Case], Case], fresh: bool) -> Case:
        """Decide on the cached case if there is one; a refusal there may come from
        a stale copy, so only a decision on the stored case may refuse."""
        cached = None if fresh else self.latest.take(case_id)
        if cached is not None:
            try:
                return decided(cached)
            except Exception:  # noqa: S110 (decided again below, on the stored case)
                pass
        return decided(self.get_case(case_id))

    @staticmethod
    def check_related(case: Case, agency: str) -> None:
        if agency not in case.involved:
            raise CaseNotFound

    def _save(
        self, case: Case, idem: IdempotencyRequest | None, status_code: int,
        also: list[RowWrite] | None = None,
    ) -> Recorded:  # fmt: skip
        event = case.pending_events[-1]
        recordings = self.save(case, also=self._also(case, idem, status_code, also))
        position = recordings[-1].notification.id
        return Recorded(case.id, case.version, position, event)  # type: ignore[arg-type]

    def _also(
        self, case: Case, idem: IdempotencyRequest | None, status_code: int,
        also: list[RowWrite] | None,
    ) -> list[RowWrite]:  # fmt: skip
        """Rows that commit with the case's events: the caller's, and the key's result."""
        rows = list(also or [])
        if idem:
            rows.append(self.idempotency.result_row(idem, str(case.id), case.version, status_code))
        return rows

    def replay(self, idem: IdempotencyRequest) -> Recorded | None:
        """The first response to this key, rebuilt from its stored event, if any."""
        stored = self.idempotency.find(idem)
        if stored is None:
            return None
        case_id = UUID(stored.case_id)
        (event,) = self.events.get(case_id, gt=stored.version - 1, lte=stored.version)
        position = self.position_of(case_id, stored.version)
        return Recorded(case_id, stored.version, position, event, replayed=True)  # type: ignore[arg-type]

    @staticmethod
    def _back_off(attempt: int) -> None:
        # Jitter spreads writers that collided so they do not collide again.
        time.sleep(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))  # noqa: S311
