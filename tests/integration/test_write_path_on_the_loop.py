"""Writes on the event loop keep the write path's guarantees (ADR 0028).

`CaseService.record_event_async` runs the write's steps on the loop (the same steps a
write in a thread runs, application/pipeline.py), and hands a write to a thread only when
its decision reads the store (a consent naming an agency not found here yet). These
tests drive it where the held copy is stale, refuses, clashes or is due a snapshot.
"""

import asyncio
from collections.abc import Coroutine
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import pytest

from coordination.adapters.store.idempotency import IdempotencyRequest
from coordination.application.app import Recorded
from coordination.application.errors import VersionMismatch
from coordination.application.pipeline import Write
from coordination.bootstrap import Services
from coordination.domain.case import ConsentGranted
from coordination.domain.errors import ConsentRequired, InvalidEvent
from coordination.domain.identity import Actor, Agency, AgencyKind
from tests.integration.test_idempotent_retries import ABH, MBE, REFER, case_with_referral
from tests.integration.test_projections import caller

T = TypeVar("T")


@pytest.fixture(autouse=True)
def rule_book_read(services: Services) -> None:
    """This worker has read the rule book (any disclosing write or read does) and it stays
    fresh: what these tests watch is where the case comes from, not the book."""
    services.cases.grounds.now()
    services.cases.grounds.fresh = float("inf")


def run(write: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(write)


async def refer(svc: Services, case_id: UUID, idem: IdempotencyRequest | None = None,
                if_match: int | None = None) -> Recorded:  # fmt: skip
    abh = caller(svc, ABH)
    return await svc.cases.record_event_async(abh, case_id, "ReferralSent", REFER, if_match, idem)


def consent_id(svc: Services, case_id: UUID) -> str:
    granted = [e for e in svc.app.history(case_id) if isinstance(e, ConsentGranted)]
    return str(granted[0].consent_id)


def ways(svc: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which way each write went: "loop" (its steps awaited on the event loop) or
    "thread" (run in a worker thread)."""
    taken: list[str] = []
    on_loop, in_thread = svc.app.record_on_loop, svc.app.record

    async def loop(write: Write) -> Recorded:
        taken.append("loop")
        return await on_loop(write)

    def thread(write: Write) -> Recorded:
        taken.append("thread")
        return in_thread(write)

    monkeypatch.setattr(svc.app, "record_on_loop", loop)
    monkeypatch.setattr(svc.app, "record", thread)
    return taken


def loads_in_a_thread(svc: Services, monkeypatch: pytest.MonkeyPatch) -> list[UUID]:
    """The cases loaded from the store by the repository, in a thread."""
    loaded: list[UUID] = []
    get_case = svc.app.get_case

    def spied(case_id: UUID, version: int | None = None) -> Any:
        loaded.append(case_id)
        return get_case(case_id, version)

    monkeypatch.setattr(svc.app, "get_case", spied)
    return loaded


def test_a_held_case_is_written_on_the_loop(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. A case this worker wrote last, so it holds it.
    case_id, _ = case_with_referral(services)
    taken, loads = ways(services, monkeypatch), loads_in_a_thread(services, monkeypatch)
    # 2. Ten referrals, one after another: each is decided and saved on the loop, on
    # the case held since the last, never loaded.
    recorded = [run(refer(services, case_id)) for _ in range(10)]
    assert [r.version for r in recorded] == list(range(4, 14))
    assert (taken, loads) == (["loop"] * 10, [])
    # 3. Each landed once, at its own position.
    assert len({r.position for r in recorded}) == 10
    assert services.app.get_case(case_id).version == 13


def test_writes_at_once_to_one_case_all_land_though_only_one_holds_it(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. Ten referrals to one held case at once.
    case_id, _ = case_with_referral(services)
    taken, loads = ways(services, monkeypatch), loads_in_a_thread(services, monkeypatch)
    recorded = run(_together(*(refer(services, case_id) for _ in range(10))))
    # 2. One borrowed the held case; the others loaded it, and decided again after each
    # clash: all landed once.
    assert taken == ["loop"] * 10
    assert len(loads) >= 9
    assert sorted(r.version for r in recorded) == list(range(4, 14))
    assert services.app.get_case(case_id).version == 13


def test_a_consent_withdrawn_by_another_worker_stops_the_next_referral(
    services: Services, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. This worker holds the case with its consent; the other withdraws the consent.
    case_id, _ = case_with_referral(services)
    fields = {"consent_id": consent_id(services, case_id)}
    other.cases.record_event(caller(other, ABH), case_id, "ConsentWithdrawn", fields, None, None)
    taken, loads = ways(services, monkeypatch), loads_in_a_thread(services, monkeypatch)
    # 2. The held copy allows the referral, but its save clashes: the stored case is
    # loaded and decides again, and refuses.
    with pytest.raises(ConsentRequired):
        run(refer(services, case_id))
    assert (taken, loads) == (["loop"], [case_id])
    assert services.app.get_case(case_id).version == 4
    # 3. The refusal is on the access log, as a refusal in a thread would be.
    refused = services.access_log.for_case(str(case_id))
    assert [e.reason for e in refused if e.action == "refused"] == [
        "consent-required: mbe-leipzig for counselling"
    ]


def test_a_refusal_by_the_held_copy_is_decided_again_on_the_stored_case(
    services: Services, other: Services
) -> None:
    # 1. This worker holds the case at version 3; the other takes it on with a referral.
    case_id, _ = case_with_referral(services)
    run(refer(other, case_id))
    # 2. If-Match 4 is stale for the held copy (3), right for the stored case.
    assert run(refer(services, case_id, if_match=4)).version == 5
    # 3. And now stale everywhere.
    with pytest.raises(VersionMismatch):
        run(refer(services, case_id, if_match=4))


def test_a_repeated_key_on_the_loop_replays_the_first_answer(services: Services) -> None:
    # 1. A referral with a key, written on the loop.
    case_id, _ = case_with_referral(services)
    idem = IdempotencyRequest(ABH, "k-1", "refer once")
    first = run(refer(services, case_id, idem))
    # 2. The same key again: its result row clashes, and the first answer comes back.
    again = run(refer(services, case_id, idem))
    assert (again.version, again.position, again.replayed) == (first.version, first.position, True)
    assert services.app.get_case(case_id).version == first.version


def test_two_workers_writing_on_their_loops_land_every_event_once(
    services: Services, other: Services
) -> None:
    # 1. Four cases; forty writes on each worker's loop at once, all to the same cases.
    cases = [case_with_referral(services)[0] for _ in range(4)]
    writes = [refer(svc, case_id) for svc in (services, other) for case_id in cases * 10]
    recorded = run(_together(*writes))
    # 2. Every acknowledged event is stored once, at its own position.
    assert len({r.position for r in recorded}) == 80
    for case_id in cases:
        assert services.app.get_case(case_id).version == 3 + 20


def test_the_hundredth_event_written_on_the_loop_takes_its_snapshot(services: Services) -> None:
    # 1. A case one event short of its first snapshot, held by this worker.
    case_id, _ = case_with_referral(services)
    case = services.app.get_case(case_id)
    while case.version < 98:
        case.send_referral(Actor(ABH, "t"), services.app.clock(), **REFER)
    services.app.save(case)
    run(refer(services, case_id))
    # 2. The hundredth, on the loop: the snapshot is stored at version 100.
    assert run(refer(services, case_id)).version == 100
    assert services.app.snapshots is not None
    (snapshot,) = services.app.snapshots.get(case_id, desc=True, limit=1)
    assert snapshot.originator_version == 100


def grant(svc: Services, case_id: UUID, recipient: str) -> Recorded:
    fields = {"recipients": [recipient], "purposes": ["counselling"], "categories": ["identity"],
              "given_on": date(2026, 9, 1), "evidence": {"method": "written"}}  # fmt: skip
    abh = caller(svc, ABH)
    return run(svc.cases.record_event_async(abh, case_id, "ConsentGranted", fields, None, None))


def test_a_consent_naming_agencies_this_worker_knows_is_written_on_the_loop(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. A held case; the recipient was looked up here before, so it is known in memory.
    case_id, _ = case_with_referral(services)
    taken = ways(services, monkeypatch)
    # 2. Its check needs no read of the store: decided and saved on the loop.
    recorded = grant(services, case_id, MBE)
    assert taken == ["loop"]
    assert recorded.version == 4


def test_a_consent_naming_an_agency_not_yet_found_here_is_checked_in_a_thread(
    services: Services, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. An agency registered by another worker: this one has never looked it up.
    case_id, _ = case_with_referral(services)
    other.directory.add_agency(Agency("kommune-leipzig", "Stadt", AgencyKind.OTHER, "leipzig"))
    taken = ways(services, monkeypatch)
    # 2. A consent naming it is checked in a thread, which reads the store: granted.
    assert grant(services, case_id, "kommune-leipzig").version == 4
    # 3. One naming an agency nobody registered: also in a thread, and refused there.
    with pytest.raises(InvalidEvent, match="unknown recipient agencies: nowhere-leipzig"):
        grant(services, case_id, "nowhere-leipzig")
    assert taken == ["thread", "thread"]
    # 4. Found here now, the agency's next consent goes the loop's way.
    recorded = grant(services, case_id, "kommune-leipzig")
    assert (recorded.version, taken[-1]) == (5, "loop")


async def _together(*writes: Coroutine[Any, Any, Recorded]) -> list[Recorded]:
    return list(await asyncio.gather(*writes))
