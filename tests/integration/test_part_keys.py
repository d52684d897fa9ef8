"""A key per controller's part of a case (ADR 0042): each agency's records are sealed
under its controller's key, and destroying one part's key leaves the others readable."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from coordination.adapters.store.directory import Directory
from coordination.adapters.store.keys import SNAPSHOT_PART, KeyDestroyed, TextSealer
from coordination.adapters.store.sealing import ErasedSnapshot
from coordination.bootstrap import Services
from coordination.domain.case import Case, QualificationRecorded
from coordination.domain.identity import Actor, Agency, AgencyKind, Caller, Principal, Role
from tests.people import PERSON

AT = datetime(2026, 9, 1, 9, tzinfo=UTC)
ABH, JC = Actor("abh-leipzig", "abh", "leipzig"), Actor("jc-leipzig", "jc", "jc-leipzig")


@pytest.fixture
def case(services: Services) -> Case:
    services.directory.add_agency(Agency("abh-leipzig", "ABH", AgencyKind.AUSLAENDERBEHOERDE,
                                         "leipzig"))  # fmt: skip
    services.directory.add_agency(Agency("jc-leipzig", "JC", AgencyKind.JOBCENTER, "leipzig",
                                         "jc-leipzig"))  # fmt: skip
    case = Case.open(ABH, AT, municipality="leipzig", person=dict(PERSON), case_id=uuid4())
    case.grant_consent(ABH, AT, recipients=["jc-leipzig"], purposes=["case_management"],
                       categories=["education"], given_on=date(2026, 9, 1),
                       evidence={"method": "written"})  # fmt: skip
    case.record_qualification(JC, AT, title="Pflege", country="SY", level="bachelor")
    case.record_qualification(ABH, AT, title="Abitur", country="SY", level="school")
    services.app.save(case)
    return case


def stored_parts(services: Services, case: Case) -> list[str | None]:
    """The part named in each stored event's envelope, in order."""
    rows = services.app.recorder.select_events(case.id)
    return [services.app.mapper.transcoder.decode(r.state).get("k") for r in rows]


def titles(services: Services, case: Case) -> list[str | None]:
    return [e.title for e in services.app.history(case.id) if isinstance(e, QualificationRecorded)]


def test_each_event_is_sealed_under_its_recorder_s_controller(
    services: Services, case: Case
) -> None:
    # The opening under the case's first key, which is the opener's controller's part;
    # the job centre's records under its own (the consent has no sealed field).
    assert stored_parts(services, case) == [None, None, "jc-leipzig", None]
    assert services.app.keys.owner_of(case.id) == "leipzig"
    assert titles(services, case) == ["Pflege", "Abitur"]


def test_destroying_one_part_leaves_the_others_readable(services: Services, case: Case) -> None:
    services.app.keys.destroy(case.id, "jc-leipzig")

    assert titles(services, case) == [None, "Abitur"]
    history = services.app.history(case.id)
    assert history[0].person["family_name"] == PERSON["family_name"]  # type: ignore[union-attr]
    assert services.app.keys.is_destroyed(case.id, "jc-leipzig")
    assert not services.app.keys.is_destroyed(case.id)


def test_a_destroyed_part_makes_no_new_key(services: Services, case: Case) -> None:
    services.app.keys.destroy(case.id, "jc-leipzig")

    with pytest.raises(KeyDestroyed):
        services.app.keys.key_for(case.id, part="jc-leipzig", create=True)


def test_a_renewed_snapshot_key_opens_no_snapshot_sealed_before(
    services: Services, case: Case
) -> None:
    services.app.take_snapshot(case.id)
    assert services.app.snapshots is not None
    recorder = services.app.snapshots.recorder

    services.app.keys.renew(case.id, SNAPSHOT_PART)

    stored = recorder.select_events(case.id)
    assert [services.app.mapper.to_domain_event(s) for s in stored] == [ErasedSnapshot(case.id)]
    assert services.app.get_case(case.id).version == case.version  # replayed from events


def test_read_model_texts_go_with_their_part(services: Services, case: Case) -> None:
    sealer = TextSealer(services.app.keys, services.directory.controller_of)
    by_jc = sealer.seal(case.id, "Ziel des Jobcenters", "milestone-title", by="jc-leipzig")
    by_abh = sealer.seal(case.id, "Ziel der ABH", "milestone-title", by="abh-leipzig")
    assert by_jc is not None
    assert by_jc.startswith("jc-leipzig:")

    services.app.keys.destroy(case.id, "jc-leipzig")

    assert sealer.open(case.id, by_jc, "milestone-title") is None
    assert sealer.open(case.id, by_abh, "milestone-title") == "Ziel der ABH"


def test_inside_a_transaction_an_agency_is_looked_up_through_its_cursor(
    services: Services, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A projection's batch holds a connection; asking the pool for a second one there can
    # wait for the pool's timeout, so the look-up must not take one.
    fresh = Directory(services.db)

    def second_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError("a second connection inside the transaction")

    monkeypatch.setattr(services.db, "fetch_all", second_connection)
    with services.db.transaction() as cursor:
        assert fresh.controller_of("jc-leipzig", cursor) == "jc-leipzig"


def caller(services: Services, agency_id: str, role: Role = Role.CASEWORKER) -> Caller:
    agency = services.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, role, "t", f"{agency_id}-{role.value}"), "request")


def test_no_snapshot_brings_an_erased_part_back(services: Services, case: Case) -> None:
    services.directory.add_agency(Agency("jc-dsb", "DSB JC", AgencyKind.OTHER, "leipzig",
                                         "jc-leipzig"))  # fmt: skip
    abh = caller(services, "abh-leipzig")
    note = {"title": "Sprachkurs", "country": "DE"}
    services.cases.record_event(abh, case.id, "QualificationRecorded", note, None, None)

    services.erasure.erase(caller(services, "jc-dsb", Role.DPO), case.id, "asked", "Art. 17")
    # Writes go on past the next snapshot (every 100 versions), each from the case as
    # the write path holds it in memory.
    for _ in range(200):
        services.cases.record_event(abh, case.id, "QualificationRecorded", note, None, None)

    assert services.app.snapshots is not None
    loaded = services.app.get_case(case.id)
    assert loaded.version == 206
    assert [q.title for q in loaded.qualifications.values()][:3] == [None, "Abitur", "Sprachkurs"]
