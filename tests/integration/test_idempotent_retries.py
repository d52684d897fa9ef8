"""A repeated request is answered from its stored result, which is read only when the
write fails: the first request costs no look-up (ADR 0024)."""

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from coordination.adapters.store.idempotency import IdempotencyKeyReused, IdempotencyRequest
from coordination.bootstrap import Services
from coordination.domain.identity import Caller
from tests.integration.test_projections import caller
from tests.people import PERSON

ABH, MBE = "abh-leipzig", "mbe-leipzig"
REFER = {"to_agency": MBE, "purpose": "counselling", "categories": ["identity"]}


@pytest.fixture
def look_ups(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys whose stored result the first worker read."""
    seen: list[str] = []
    find = services.idempotency.find

    def counted(req: IdempotencyRequest) -> Any:
        seen.append(req.key)
        return find(req)

    monkeypatch.setattr(services.idempotency, "find", counted)
    return seen


def case_with_referral(svc: Services) -> tuple[UUID, str]:
    abh, _ = caller(svc, ABH), caller(svc, MBE)  # both agencies registered
    case_id = svc.cases.open_case(abh, {"person": PERSON, "municipality": "leipzig"}, None).case_id
    svc.cases.record_event(abh, case_id, "ConsentGranted", {
        "recipients": [MBE], "purposes": ["counselling"], "categories": ["identity"],
        "given_on": date(2026, 9, 1), "evidence": {"method": "written"}}, None, None)  # fmt: skip
    sent = svc.cases.record_event(abh, case_id, "ReferralSent", REFER, None, None)
    return case_id, sent.event.referral_id  # type: ignore[attr-defined]


def refer(svc: Services, case_id: UUID, idem: IdempotencyRequest) -> Any:
    return svc.cases.record_event(caller(svc, ABH), case_id, "ReferralSent", REFER, None, idem)


def accept(svc: Services, who: Caller, case_id: UUID, referral: str, key: str) -> Any:
    idem = IdempotencyRequest(who.agency_id, key, f"accept {referral}")
    fields = {"referral_id": referral}
    return svc.cases.record_event(who, case_id, "ReferralAccepted", fields, None, idem)


def test_a_repeat_that_the_case_would_now_refuse_is_replayed(
    services: Services, other: Services, look_ups: list[str]
) -> None:
    # 1. A case with a referral to MBE; MBE accepts it with a key.
    case_id, referral = case_with_referral(services)
    mbe = caller(services, MBE)
    first = accept(services, mbe, case_id, referral, "accept-1")
    # 2. The first request read no stored result.
    assert look_ups == []
    # 3. Sent again, here and to another worker: accepting twice would be refused,
    #    so both read the stored result and answer as the first time.
    for worker in (services, other):
        again = accept(worker, mbe, case_id, referral, "accept-1")
        assert (again.replayed, again.version, again.position) == (
            True, first.version, first.position)  # fmt: skip
    assert look_ups == ["accept-1"]
    # 4. One acceptance is stored.
    assert services.app.get_case(case_id).version == first.version


def test_a_repeat_that_would_succeed_again_is_replayed_not_recorded_twice(
    services: Services, other: Services
) -> None:
    # 1. ABH sends a referral with a key.
    case_id, _ = case_with_referral(services)
    idem = IdempotencyRequest(ABH, "refer-2", "refer twice")
    first = refer(services, case_id, idem)
    # 2. The same request again, here and on another worker: sending is allowed again,
    #    but the stored result commits with the event, so the repeat clashes on it and
    #    is replayed.
    for worker in (services, other):
        again = refer(worker, case_id, idem)
        assert (again.replayed, again.version) == (True, first.version)
        assert again.event.referral_id == first.event.referral_id  # type: ignore[attr-defined]
    # 3. The case has one referral more than before, not three.
    assert services.app.get_case(case_id).version == first.version


def test_a_key_reused_for_another_request_is_refused_and_records_nothing(
    services: Services, other: Services
) -> None:
    # 1. ABH sends a referral with a key.
    case_id, _ = case_with_referral(services)
    version = refer(services, case_id, IdempotencyRequest(ABH, "refer-3", "one body")).version
    # 2. The key again with another body, on either worker: refused, nothing recorded.
    reused = IdempotencyRequest(ABH, "refer-3", "another body")
    for worker in (services, other):
        with pytest.raises(IdempotencyKeyReused):
            refer(worker, case_id, reused)
    assert services.app.get_case(case_id).version == version
