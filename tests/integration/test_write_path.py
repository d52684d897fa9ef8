"""The fast write path keeps every guarantee when another process writes first.

Two `bootstrap`s on one store stand for two API workers: each has its own cache of
the cases it wrote last and its own group committer. A case cached by one goes
stale when the other writes; every decision must still be made on the newest
state, and concurrent saves sharing one transaction must each land exactly once.
"""

import threading
from datetime import date, datetime
from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError

from coordination.application.errors import VersionMismatch
from coordination.application.pipeline import Write
from coordination.bootstrap import Services
from coordination.domain.case import Case
from coordination.domain.errors import ConsentRequired
from coordination.domain.identity import Actor
from tests.support import STARTER_EVENTS

ABH, JOBCENTER = Actor("abh", "t"), "jobcenter"


def open_case(svc: Services) -> UUID:
    return svc.app.open_case(
        ABH, {"municipality": "leipzig", "person": {"given_name": "A"}}
    ).case_id


def grant(case: Case, at: datetime) -> object:
    return case.grant_consent(ABH, at, recipients=[JOBCENTER], purposes=["counselling"],
                              categories=["identity"], given_on=date(2026, 8, 1),
                              evidence={"method": "written"}, consent_id="c-1")  # fmt: skip


def refer(case: Case, at: datetime) -> object:
    return case.send_referral(ABH, at, to_agency=JOBCENTER, purpose="counselling",
                              categories=["identity"])  # fmt: skip


def withdraw(case: Case, at: datetime) -> object:
    return case.withdraw_consent(ABH, at, consent_id="c-1")


def test_a_consent_withdrawn_by_another_worker_stops_the_next_referral(
    services: Services, other: Services
) -> None:
    # 1. This worker opens the case, records a consent and a referral: the case is cached.
    case_id = open_case(services)
    services.app.record(Write(case_id, ABH, grant))
    services.app.record(Write(case_id, ABH, refer))
    # 2. The other worker records the withdrawal: this worker's cached copy is stale.
    other.app.record(Write(case_id, ABH, withdraw))
    # 3. A referral on this worker is decided on the newest state, and refused.
    with pytest.raises(ConsentRequired):
        services.app.record(Write(case_id, ABH, refer))
    assert services.app.get_case(case_id).version == 4


def test_a_consent_granted_by_another_worker_allows_the_referral(
    services: Services, other: Services
) -> None:
    # 1. This worker opens the case (cached without any consent).
    case_id = open_case(services)
    # 2. The other worker records the consent.
    other.app.record(Write(case_id, ABH, grant))
    # 3. The stale copy would refuse; the stored case allows it.
    recorded = services.app.record(Write(case_id, ABH, refer))
    assert recorded.version == 3


def test_if_match_holds_against_the_newest_version(services: Services, other: Services) -> None:
    # 1. Cached here at version 1; the other worker takes it to version 2.
    case_id = open_case(services)
    other.app.record(Write(case_id, ABH, grant))
    # 2. If-Match 2 is right, though the cached copy says 1.
    assert services.app.record(Write(case_id, ABH, refer, expected_version=2)).version == 3
    # 3. If-Match 2 is now stale on either worker.
    for svc in (services, other):
        with pytest.raises(VersionMismatch):
            svc.app.record(Write(case_id, ABH, refer, expected_version=2))


def test_concurrent_writes_from_two_workers_each_land_once(
    services: Services, other: Services
) -> None:
    # 1. Eight cases; sixteen threads, half on each worker, each writing to all of them.
    cases = [open_case(services) for _ in range(8)]
    for case_id in cases:
        services.app.record(Write(case_id, ABH, grant))
    positions: list[int] = []
    lock = threading.Lock()

    def write(svc: Services) -> None:
        for case_id in cases:
            recorded = svc.app.record(Write(case_id, ABH, refer))
            with lock:
                positions.append(recorded.position)

    threads = [threading.Thread(target=write, args=(s,)) for s in [services, other] * 8]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 2. Every acknowledged event is stored once, at its own position.
    assert len(positions) == len(set(positions)) == 16 * 8
    for case_id in cases:
        assert services.app.get_case(case_id).version == 2 + 16
    # 3. The hash chains written in those shared transactions verify.
    report = services.integrity.verify()
    assert report.ok
    assert report.events_checked == STARTER_EVENTS + 8 * (2 + 16)


def test_a_snapshot_that_fails_does_not_fail_the_committed_save(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. A case one event short of its first snapshot.
    case_id = open_case(services)
    services.app.record(Write(case_id, ABH, grant))
    case = services.app.get_case(case_id)
    while case.version < 99:
        refer(case, services.app.clock())
    services.app.save(case)
    # 2. The snapshot store fails just as the 100th event commits.
    assert services.app.snapshots is not None

    def broken(*_: object, **__: object) -> None:
        raise OperationalError("snapshot store unreachable")

    monkeypatch.setattr(services.app.snapshots, "put", broken)
    # 3. The write is answered, and its event is stored.
    assert services.app.record(Write(case_id, ABH, refer)).version == 100
    assert services.app.get_case(case_id).version == 100
