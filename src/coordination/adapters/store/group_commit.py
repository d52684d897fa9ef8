"""Group commit: the saves of concurrent requests share one transaction.

Every append holds the event table's writer lock (eventsourcing takes it so that
commit order equals position order), so one transaction per request serialises
all writers on that lock and its round trips. Here each request hands its stored
events to one committer thread and waits; the committer writes whatever has
queued up meanwhile in a single transaction. A request returns only after the
transaction that holds its events committed: nothing is acknowledged early.

If the shared transaction fails on a clash (another writer took the version, or
an idempotency key), nobody can tell whose rows clashed, so each request's rows
are written again alone and only the clashing one sees IntegrityError.

A coroutine waits on the event loop instead (`submit_async`, ADR 0028): the
committer wakes the loop once it is done, and no thread waits for the commit.
"""

import asyncio
import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from queue import Empty, SimpleQueue
from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent

from coordination.adapters.store.recorders import RowWrite

Insert = Callable[[Sequence[StoredEvent], Sequence[RowWrite]], Sequence[int] | None]


@dataclass
class Pending:
    events: Sequence[StoredEvent]
    also: Sequence[RowWrite]
    wake: Callable[[], object]
    positions: Sequence[int] = ()
    error: BaseException | None = None

    def finish(self, positions: Sequence[int] = (), error: BaseException | None = None) -> None:
        self.positions, self.error = positions, error
        self.wake()

    def outcome(self) -> Sequence[int]:
        if self.error is not None:
            raise self.error
        return self.positions


class GroupCommit:
    def __init__(self, insert: Insert, max_events: int = 500) -> None:
        self._insert, self._max_events = insert, max_events
        self._queue: SimpleQueue[Pending | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, events: Sequence[StoredEvent], also: Sequence[RowWrite]) -> Sequence[int]:
        """Positions of `events` once committed; raises what their transaction raised."""
        done = threading.Event()
        pending = Pending(events, also, done.set)
        self._queue.put(pending)
        done.wait()
        return pending.outcome()

    async def submit_async(
        self, events: Sequence[StoredEvent], also: Sequence[RowWrite]
    ) -> Sequence[int]:
        """As `submit`, awaited on the running event loop."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        pending = Pending(events, also, lambda: _wake(loop, done))
        self._queue.put(pending)
        await done
        return pending.outcome()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            batch, closing = self._collect(first)
            self._write(batch)
            if closing:
                return

    def _collect(self, first: Pending) -> tuple[list[Pending], bool]:
        batch, events, cases = [first], len(first.events), _cases(first)
        while events < self._max_events:
            try:
                pending = self._queue.get_nowait()
            except Empty:
                break
            if pending is None:
                return batch, True
            if cases & _cases(pending):
                # Two saves of one case clash for sure: the later goes alone, after.
                self._write(batch)
                batch, events, cases = [], 0, set()
            batch.append(pending)
            events, cases = events + len(pending.events), cases | _cases(pending)
        return batch, False

    def _write(self, batch: list[Pending]) -> None:
        if len(batch) == 1:
            self._alone(batch[0])
            return
        try:
            positions = self._insert(
                [e for p in batch for e in p.events], [w for p in batch for w in p.also]
            )
        except IntegrityError:
            for pending in batch:
                self._alone(pending)
            return
        except BaseException as error:  # every waiter must wake, whatever went wrong
            for pending in batch:
                pending.finish(error=error)
            return
        _share(batch, positions or ())

    def _alone(self, pending: Pending) -> None:
        try:
            pending.finish(self._insert(pending.events, pending.also) or ())
        except BaseException as error:  # raised in the waiting request's thread instead
            pending.finish(error=error)


def _wake(loop: asyncio.AbstractEventLoop, done: "asyncio.Future[None]") -> None:
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
        loop.call_soon_threadsafe(_settle, done)


def _settle(done: "asyncio.Future[None]") -> None:
    # A waiter cancelled meanwhile is gone; its events committed all the same.
    if not done.done():
        done.set_result(None)


def _cases(pending: Pending) -> set[Any]:
    return {e.originator_id for e in pending.events}


def _share(batch: list[Pending], positions: Sequence[int]) -> None:
    offset = 0
    for pending in batch:
        pending.finish(positions[offset : offset + len(pending.events)])
        offset += len(pending.events)
