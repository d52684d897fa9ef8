"""The sealing mapper: personal fields never reach the store in clear, and an
erased case's events still decode, with those fields empty."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from coordination.adapters.store import keys as keys_module
from coordination.adapters.store.keys import CaseKeys, KeyDestroyed
from coordination.bootstrap import Services
from coordination.domain.case import AgreementConcluded, Case, CaseOpened, ConsentGranted
from coordination.domain.identity import Actor
from tests.people import PERSON

AT = datetime(2026, 9, 1, 9, tzinfo=UTC)
ABH = Actor("abh-leipzig", "abh")


def opened_case() -> Case:
    case = Case.open(ABH, AT, municipality="leipzig", person=dict(PERSON), case_id=uuid4())
    case.grant_consent(ABH, AT, recipients=["mbe"], purposes=["case_management"],
                       categories=["integration_plan"], given_on=date(2026, 9, 1),
                       evidence={"method": "written"})  # fmt: skip
    case.conclude_agreement(
        ABH,
        AT,
        signed_on=date(2026, 9, 1),
        milestones=[
            {"title": "Kurs für Amina", "due_on": date(2026, 10, 1), "responsible_agency": "mbe"}
        ],
    )
    return case


def row_reads(keys: CaseKeys, monkeypatch: pytest.MonkeyPatch) -> list[UUID]:
    """The cases whose key row `keys` reads from now on, in order."""
    reads: list[UUID] = []
    real_row = keys._row

    def counted(case_id: UUID, cursor: Any = None, part: str | None = None) -> Any:
        reads.append(case_id)
        return real_row(case_id, cursor, part)

    monkeypatch.setattr(keys, "_row", counted)
    return reads


def test_personal_fields_are_sealed_and_round_trip(services: Services) -> None:
    mapper = services.app.mapper
    for event in opened_case().collect_events():
        stored = mapper.to_stored_event(event)
        for secret in ("Amina", "Haddad", "1994-03-02", "341 000000", "Kurs"):
            assert secret.encode() not in stored.state, (type(event).__name__, secret)
        assert vars(mapper.to_domain_event(stored)) == vars(event)


def test_after_the_key_is_destroyed_events_decode_with_personal_fields_empty(
    services: Services,
) -> None:
    case = opened_case()
    stored = [services.app.mapper.to_stored_event(e) for e in case.collect_events()]
    services.app.keys.destroy(case.id)

    opening, consent, agreement = (services.app.mapper.to_domain_event(s) for s in stored)
    assert isinstance(opening, CaseOpened)
    assert opening.person is None
    assert opening.municipality == "leipzig"
    assert vars(opening)["_erased"] is True
    assert isinstance(consent, ConsentGranted)
    assert consent.recipients == ["mbe"]  # nothing of it was sealed
    assert isinstance(agreement, AgreementConcluded)
    assert agreement.milestones[0]["title"] is None
    assert agreement.milestones[0]["responsible_agency"] == "mbe"


def test_a_batch_prefetches_its_keys_in_one_read_and_erased_ones_stay_erased(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. Three cases with keys; the second is erased.
    cases = [opened_case() for _ in range(3)]
    services.app.save(*cases)
    services.app.keys.destroy(cases[1].id)
    keys = CaseKeys(services.app.db, services.app.master_key)  # another process: cold cache
    # 2. One prefetch, then no row is read alone for the live cases.
    keys.prefetch([c.id for c in cases])
    reads = row_reads(keys, monkeypatch)
    assert keys.key_for(cases[0].id) == services.app.keys.key_for(cases[0].id)
    assert keys.key_for(cases[2].id) == services.app.keys.key_for(cases[2].id)
    assert reads == []
    # 3. The erased case's key was not cached: it is looked up, and found destroyed.
    with pytest.raises(KeyDestroyed):
        keys.key_for(cases[1].id)
    assert reads == [cases[1].id]


def test_sealing_reuses_an_expired_key_and_opening_reads_it_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. A case whose key this process has cached, then the cache entry expires.
    case = opened_case()
    services.app.save(case)
    keys = services.app.keys
    monkeypatch.setattr(keys_module, "KEY_TTL_SECONDS", -1.0)
    keys._cache.pop(case.id.int)
    keys.key_for(case.id)  # cached again, already expired
    reads = row_reads(keys, monkeypatch)
    # 2. Sealing uses the cached key without a read; opening reads the row again.
    keys.key_for(case.id, create=True)
    assert reads == []
    keys.key_for(case.id)
    assert reads == [case.id]
    # 3. Once erased here, neither seals nor opens.
    keys.destroy(case.id)
    for create in (True, False):
        with pytest.raises(KeyDestroyed):
            keys.key_for(case.id, create=create)


def test_the_key_cache_keeps_a_bounded_number_of_keys(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys_module, "MAX_CACHED_KEYS", 2)
    cases = [opened_case() for _ in range(3)]
    services.app.save(*cases)
    keys = CaseKeys(services.app.db, services.app.master_key)
    for case in cases:
        keys.key_for(case.id)
    assert list(keys._cache) == [cases[1].id.int, cases[2].id.int]  # the first went first
