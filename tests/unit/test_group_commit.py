"""Group commit without a database: who shares a transaction, and who sees which error."""

import asyncio
import threading
from collections.abc import Sequence
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from coordination.adapters.store.group_commit import GroupCommit
from coordination.adapters.store.recorders import RowWrite


def event(case: UUID, version: int = 1) -> StoredEvent:
    return StoredEvent(case, version, "t", b"{}")


class FakeStore:
    """Records each transaction; the first waits until released, so others queue up."""

    def __init__(self, clash: UUID | None = None, broken: bool = False) -> None:
        self.transactions: list[list[StoredEvent]] = []
        self.first_started, self.release = threading.Event(), threading.Event()
        self.clash, self.broken, self.position = clash, broken, 0

    def insert(self, events: Sequence[StoredEvent], also: Sequence[RowWrite]) -> list[int]:
        if not self.transactions:
            self.first_started.set()
            self.release.wait(5)
        self.transactions.append(list(events))
        if self.broken:
            raise OperationalError("connection lost")
        if self.clash in {e.originator_id for e in events}:
            raise IntegrityError("duplicate key")
        self.position += len(events)
        return list(range(self.position - len(events) + 1, self.position + 1))


def started(store: "FakeStore") -> GroupCommit:
    committer = GroupCommit(store.insert)
    committer.start()
    return committer


def submit_all(committer: GroupCommit, store: FakeStore, batches: list[list[StoredEvent]]
               ) -> list[Sequence[int] | BaseException]:  # fmt: skip
    """The first batch starts alone; the rest queue behind it, then all are let go."""
    results: list[Sequence[int] | BaseException] = [()] * len(batches)

    def run(i: int) -> None:
        try:
            results[i] = committer.submit(batches[i], [])
        except BaseException as error:  # the test looks at it
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    threads[0].start()
    assert store.first_started.wait(5)
    for t in threads[1:]:
        t.start()
    while committer._queue.qsize() < len(batches) - 1:  # until all have queued
        threading.Event().wait(0.001)
    store.release.set()
    for t in threads:
        t.join(5)
    return results


def test_saves_waiting_together_share_one_transaction() -> None:
    # 1. One save is being written while five more arrive.
    store = FakeStore()
    committer = started(store)
    results = submit_all(committer, store, [[event(uuid4())] for _ in range(6)])
    committer.close()
    # 2. The five waiting ones go in one transaction, each with its own position.
    assert [len(t) for t in store.transactions] == [1, 5]
    assert sorted(p for r in results for p in r) == [1, 2, 3, 4, 5, 6]  # type: ignore[union-attr]


def test_two_saves_of_one_case_never_share_a_transaction() -> None:
    case = uuid4()
    store = FakeStore()
    committer = started(store)
    batches = [[event(uuid4())], [event(case, 2)], [event(uuid4())], [event(case, 2)]]
    submit_all(committer, store, batches)
    committer.close()
    assert [len(t) for t in store.transactions] == [1, 2, 1]


def test_a_clash_fails_only_the_save_that_clashed() -> None:
    # 1. The third save clashes (another writer took its version).
    bad = uuid4()
    store = FakeStore(clash=bad)
    committer = started(store)
    results = submit_all(committer, store, [[event(uuid4())], [event(uuid4())], [event(bad)],
                                            [event(uuid4())]])  # fmt: skip
    committer.close()
    # 2. The shared transaction failed; each was written again alone, and only it failed.
    assert [len(t) for t in store.transactions] == [1, 3, 1, 1, 1]
    assert isinstance(results[2], IntegrityError)
    assert all(isinstance(r, list) and len(r) == 1 for i, r in enumerate(results) if i != 2)


def test_a_lost_connection_fails_every_save_in_the_transaction() -> None:
    store = FakeStore(broken=True)
    committer = started(store)
    results = submit_all(committer, store, [[event(uuid4())] for _ in range(3)])
    committer.close()
    assert all(isinstance(r, OperationalError) for r in results)
    alone = started(store)
    with pytest.raises(OperationalError):
        alone.submit([event(uuid4())], [])
    alone.close()


def test_coroutines_waiting_on_the_loop_share_transactions_and_see_their_errors() -> None:
    # 1. One save is being written while a coroutine's save and a clashing one arrive.
    bad = uuid4()
    store = FakeStore(clash=bad)
    committer = started(store)
    first = threading.Thread(target=committer.submit, args=([event(uuid4())], []))
    first.start()
    assert store.first_started.wait(5)

    async def both() -> list[Sequence[int] | BaseException]:
        waiting = [asyncio.ensure_future(committer.submit_async(batch, []))
                   for batch in ([event(uuid4())], [event(bad)])]  # fmt: skip
        while committer._queue.qsize() < 2:
            await asyncio.sleep(0.001)
        store.release.set()
        return await asyncio.gather(*waiting, return_exceptions=True)

    # 2. They shared a transaction, which clashed: each was written again alone.
    ok, clashed = asyncio.run(both())
    first.join(5)
    committer.close()
    assert [len(t) for t in store.transactions] == [1, 2, 1, 1]
    assert ok == [2]
    assert isinstance(clashed, IntegrityError)


def test_a_waiter_gone_before_its_commit_leaves_the_committer_working() -> None:
    # 1. A coroutine waits for its commit and is cancelled; its loop closes.
    store = FakeStore()
    committer = started(store)

    async def gone() -> None:
        waiting = asyncio.ensure_future(committer.submit_async([event(uuid4())], []))
        assert await asyncio.to_thread(store.first_started.wait, 5)
        waiting.cancel()

    asyncio.run(gone())
    store.release.set()
    # 2. Its events committed all the same, and the next save is answered.
    answered: list[Sequence[int]] = []
    later = threading.Thread(target=lambda: answered.append(committer.submit([event(uuid4())], [])))
    later.start()
    later.join(5)
    committer.close()
    assert answered == [[2]]
    assert [len(t) for t in store.transactions] == [1, 1]
