"""A write to a case this worker does not hold loads it on the event loop (ADR 0030).

On PostgreSQL the newest snapshot, the events after it and the case key come in one
round trip over the loop pool, and the write goes on as for a held case. SQLite has no
async driver: there the load stays in a thread. Either way the write lands the same,
and a case that is not there or erased is left to the thread's load, which decides.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID, uuid4

import pytest

from coordination.application.errors import CaseNotFound
from coordination.bootstrap import Services
from coordination.domain.errors import CaseIsErased
from coordination.domain.identity import Actor
from tests.integration.test_idempotent_retries import ABH, REFER, case_with_referral
from tests.integration.test_snapshots import dpo
from tests.integration.test_write_path_on_the_loop import loads_in_a_thread, refer, ways
from tests.same_state import same_case

T = TypeVar("T")


@pytest.fixture(autouse=True)
def rule_book_read(services: Services) -> None:
    """This worker has read the rule book (any disclosing write or read does) and it stays
    fresh: what these tests watch is where the case comes from, not the book."""
    services.cases.grounds.now()
    services.cases.grounds.fresh = float("inf")


def on_loop(svc: Services, write: Callable[[], Awaitable[T]]) -> T:
    """Run `write` on a loop with the worker's loop pool open, as the API's lifespan does."""

    async def body() -> T:
        await svc.open_loop()
        try:
            return await write()
        finally:
            await svc.close_loop()

    return asyncio.run(body())


@pytest.fixture
def loads(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[UUID]:
    """The cases loaded in a thread (by the repository) while the test runs."""
    return loads_in_a_thread(services, monkeypatch)


def test_a_case_another_worker_wrote_is_loaded_and_written_on_the_loop(
    services: Services, other: Services, loads: list[UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. The other worker opened the case: this one holds neither the case nor its key.
    case_id, _ = case_with_referral(other)
    # It has met the agencies before: the first look-up of one is a thread's work.
    for agency in other.directory.list_agencies():
        services.directory.get_agency(agency.agency_id)
    taken = ways(services, monkeypatch)
    # 2. A referral here, written on the loop: on PostgreSQL the case is loaded there too,
    # on SQLite in a thread.
    recorded = on_loop(services, lambda: refer(services, case_id))
    assert (recorded.version, taken) == (4, ["loop"])
    on_postgres = services.config.dialect == "postgres"
    assert loads == ([] if on_postgres else [case_id])
    # 3. Stored once; the next write finds the case held.
    assert on_loop(services, lambda: refer(services, case_id)).version == 5
    assert other.app.get_case(case_id).version == 5


def test_a_long_case_loads_on_the_loop_from_its_snapshot_as_from_its_events(
    services: Services, other: Services, loads: list[UUID]
) -> None:
    # 1. The other worker wrote 150 events: a snapshot at 100, fifty events after it.
    case_id, _ = case_with_referral(other)
    case = other.app.get_case(case_id)
    while case.version < 150:
        case.send_referral(Actor(ABH, "t"), other.app.clock(), **REFER)
    other.app.save(case)
    # 2. A referral here loads the snapshot and the fifty events, and writes event 151.
    assert on_loop(services, lambda: refer(services, case_id)).version == 151
    # 3. The case this worker now holds is the case its events give.
    held = services.app.latest.take(case_id)
    assert held is not None
    same_case(held, other.app.get_case(case_id))


def test_a_case_that_is_not_there_is_left_to_the_thread_which_refuses_it(
    services: Services, loads: list[UUID]
) -> None:
    case_with_referral(services)  # both agencies registered
    missing = uuid4()
    with pytest.raises(CaseNotFound):
        on_loop(services, lambda: refer(services, missing))
    assert loads == [missing]


def test_an_erased_case_is_left_to_the_thread_which_refuses_it(
    services: Services, other: Services, loads: list[UUID]
) -> None:
    # 1. The other worker erases a case: its key is destroyed.
    case_id, _ = case_with_referral(other)
    other.erasure.erase(dpo(other), case_id, "person asked", "Art. 17 GDPR")
    # 2. A referral here: no key to read with on the loop; the thread's load refuses it,
    # as it refuses it on the worker that erased the case.
    with pytest.raises(CaseIsErased):
        on_loop(services, lambda: refer(services, case_id))
    assert loads == [case_id]
    with pytest.raises(CaseIsErased):
        asyncio.run(refer(other, case_id))
