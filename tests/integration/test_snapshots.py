"""Snapshots of cases on both stores: taken every 100 events, sealed like the events,
read instead of the events before them, and never changing what a load gives: the
current case, an auditor's exact version, or an erased case."""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Repository
from eventsourcing.persistence import StoredEvent

from coordination.adapters.hashing.bundle import verify_bundle
from coordination.adapters.store.keys import KeyDestroyed
from coordination.adapters.store.sealing import ErasedSnapshot
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.bootstrap import Services
from coordination.domain.case import Case
from coordination.domain.identity import Actor, Agency, AgencyKind, Caller, Principal, Role
from coordination.services.cases import TIMELINE
from tests.people import PERSON
from tests.same_state import same_case
from tests.support import STARTER_EVENTS

ABH, MBE, VHS = Actor("abh-leipzig", "abh"), "mbe-leipzig", "vhs-leipzig"
AT = datetime(2026, 9, 1, 9, tzinfo=UTC)
SECRETS = [b"Amina", b"Haddad", b"1994-03-02", b"341 000000", b"Pflegefachfrau"]


def _story(case: Case) -> Iterator[None]:
    """Every kind of event a case sees, over and over, one command per step."""
    at = AT
    by_mbe = Actor(MBE, "mbe")
    for n in range(1, 10**6):
        at += timedelta(hours=1)
        today = at.date()
        case.grant_consent(
            ABH, at, recipients=[MBE, VHS], given_on=today, evidence={"method": "written"},
            purposes=["counselling", "language_course", "case_management"],
            categories=["identity", "contact", "integration_plan"],
            valid_until=today + timedelta(days=400),
        )  # fmt: skip
        yield
        referral = case.send_referral(ABH, at, to_agency=MBE, purpose="counselling",
                                      categories=["identity"], note=f"note {n}")  # fmt: skip
        yield
        case.accept_referral(by_mbe, at, referral_id=referral)
        yield
        case.complete_referral(by_mbe, at, referral_id=referral, outcome="placed")
        yield
        course = case.assign_course(ABH, at, course_type="integration_course", provider=VHS,
                                    target_level="B1", starts_on=today)  # fmt: skip
        yield
        case.complete_course(Actor(VHS, "vhs"), at, course_id=course, result="B1",
                             completed_on=today)  # fmt: skip
        yield
        agreement = case.conclude_agreement(ABH, at, signed_on=today, milestones=[
            {"title": f"Kurs {n}", "due_on": today + timedelta(days=30),
             "responsible_agency": MBE}])  # fmt: skip
        milestone = next(iter(case.agreements[agreement].milestones))
        yield
        case.reschedule_milestone(ABH, at, agreement_id=agreement, milestone_id=milestone,
                                  due_on=today + timedelta(days=60), reason="ill")  # fmt: skip
        yield
        case.meet_milestone(by_mbe, at, agreement_id=agreement, milestone_id=milestone,
                            met_on=today)  # fmt: skip
        yield
        qualification = case.record_qualification(
            ABH, at, title="Pflegefachfrau", country="SY", level="EQF 6",
            obtained_on=date(2019, 7, 1))  # fmt: skip
        yield
        case.decide_recognition(ABH, at, qualification_id=qualification, outcome="full",
                                decided_on=today)  # fmt: skip
        yield
        consent = next(iter(case.ledger.consents))
        if case.ledger.consents[consent].withdrawn_at is None and n % 2:
            case.withdraw_consent(ABH, at, consent_id=consent, reason="asked")
            yield


def long_case(services: Services, events: int, batch: int = 45) -> UUID:
    """A case of `events` events, saved `batch` at a time (as a busy case grows)."""
    case = Case.open(ABH, AT, municipality="leipzig", person=dict(PERSON),
                     arrived_on=date(2026, 8, 14), residence_status="aufenthaltserlaubnis",
                     case_id=uuid4())  # fmt: skip
    steps = _story(case)
    while case.version < events:
        next(steps)
        if len(case.pending_events) == batch:
            services.app.save(case)
    services.app.save(case)
    return case.id


def snapshot_rows(services: Services, case_id: UUID) -> list[dict[str, Any]]:
    """The snapshot table's rows of the case, read with SQL (not through the library)."""
    assert services.app.snapshots is not None
    table = services.app.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
    rows = services.db.fetch_all(
        f"SELECT originator_id, originator_version, topic, state FROM {{p}}{table}"
        " ORDER BY originator_version"
    )
    return [r for r in rows if UUID(str(r["originator_id"])) == case_id]


def without_snapshots(services: Services, case_id: UUID, version: int | None = None) -> Case:
    """The case replayed from every event, as the application loaded it before snapshots."""
    case: Case = Repository(services.app.events).get(case_id, version=version)
    return case


def dpo(services: Services) -> Caller:
    agency = Agency("datenschutz-leipzig", "DSB", AgencyKind.OTHER, "leipzig")
    services.directory.add_agency(agency)
    return Caller(Principal(agency, Role.DPO, "t", "dsb-dpo"), "test-request")


def test_a_long_case_is_snapshotted_every_100_events_and_loads_as_from_its_events(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = long_case(services, 1000)

    rows = snapshot_rows(services, case_id)
    assert [r["originator_version"] for r in rows] == list(range(100, 1001, 100))
    assert {r["topic"] for r in rows} == {"eventsourcing.domain:Snapshot"}
    for row in rows:  # the whole state is sealed with the case's key
        envelope = json.loads(bytes(row["state"]))
        # The ciphertext, not its base64 text: a five-letter name turns up by chance in
        # megabytes of base64 about once in a few hundred runs.
        stored = json.dumps(envelope["c"]).encode() + base64.b64decode(envelope["s"])
        assert not [s for s in SECRETS if s in stored]
        clear = envelope["c"]
        assert (sorted(clear), clear["topic"]) == (
            ["timestamp", "topic"],
            "coordination.domain.case:Case",
        )

    read_after: list[int | None] = []
    events_get = services.app.events.get

    def spy(*args: Any, **kwargs: Any) -> Any:
        read_after.append(kwargs.get("gt"))
        return events_get(*args, **kwargs)

    monkeypatch.setattr(services.app.events, "get", spy)
    loaded = services.app.get_case(case_id)
    assert read_after == [1000]  # the snapshot at 1000, and no event before it
    monkeypatch.undo()

    assert loaded.version == 1000
    same_case(loaded, without_snapshots(services, case_id))


def test_an_auditor_s_version_read_is_exactly_that_version(services: Services) -> None:
    case_id = long_case(services, 1000)

    for version in (1, 2, 99, 100, 101, 199, 200, 555, 899, 900, 901, 999, 1000):
        case = services.app.get_case(case_id, version=version)
        assert case.version == version
        same_case(case, without_snapshots(services, case_id, version))


def test_an_auditor_s_replay_shows_the_states_that_version_reads_show(
    services: Services,
) -> None:
    case_id = long_case(services, 250)
    agency = Agency("kreis-leipzig", "Kreis", AgencyKind.OTHER, "leipzig")
    services.directory.add_agency(agency)
    auditor = Caller(Principal(agency, Role.AUDITOR, "t", "audit"), "test-request")

    for version, against in ((150, None), (201, 99), (1, None), (250, 300)):
        replayed = services.cases.replay(auditor, case_id, version, against=against)
        earlier = replayed.against
        shown = [s.event.originator_version for s in replayed.history]
        assert (replayed.version, replayed.latest, len(shown)) == (version, 250, TIMELINE)
        assert version in shown  # the stretch of the timeline around it
        assert shown == list(range(shown[0], shown[0] + TIMELINE))
        assert replayed.view.data == services.cases.read_case(auditor, case_id, version)[1].data
        assert replayed.before == (
            services.cases.read_case(auditor, case_id, earlier)[1].data if earlier else None
        )
    assert services.cases.replay(auditor, case_id, as_of=AT + timedelta(hours=3)).version < 250
    with pytest.raises(CaseNotFound):
        services.cases.replay(auditor, case_id, 251)
    with pytest.raises(CaseNotFound):
        services.cases.replay(auditor, case_id, as_of=AT - timedelta(days=1))
    with pytest.raises(Forbidden):
        services.cases.replay(dpo(services), case_id)


def test_a_later_event_after_a_snapshot_loads_on_top_of_it(services: Services) -> None:
    case_id = long_case(services, 100)
    case = services.app.get_case(case_id)
    case.close(ABH, AT + timedelta(days=400), reason="done")
    services.app.save(case)

    loaded = services.app.get_case(case_id)

    assert (loaded.version, loaded.closed) == (101, True)
    same_case(loaded, without_snapshots(services, case_id))


# 199: `CaseErased` is event 200, so a snapshot of the erased state is taken (with the
# key, which is destroyed just after it): it holds what the case held but the person.
@pytest.mark.parametrize("events", [250, 199])
def test_an_erased_case_with_snapshots_reads_as_without_them(
    services: Services, events: int
) -> None:
    case_id = long_case(services, events)
    other = long_case(services, 30)

    services.erasure.erase(dpo(services), case_id, "person asked", "Art. 17 GDPR")
    last = events + 1

    # The snapshots stay (ciphertext under a destroyed key) and decode as erased...
    assert services.app.snapshots is not None
    stored = [StoredEvent(r["originator_id"], r["originator_version"], r["topic"],
                          bytes(r["state"])) for r in snapshot_rows(services, case_id)]  # fmt: skip
    assert [s.originator_version for s in stored] == [100, 200]
    assert [services.app.mapper.to_domain_event(s) for s in stored] == [ErasedSnapshot(case_id)] * 2
    # ...so every load replays the events, which give the erased case in clear fields only.
    case = services.app.get_case(case_id)
    assert (case.version, case.erased, case.person) == (last, True, {})
    assert case.qualifications["qualification-1"].title is None
    same_case(case, without_snapshots(services, case_id))
    for version in (99, 100, 150, 199, 200, last):
        same_case(services.app.get_case(case_id, version=version),
                  without_snapshots(services, case_id, version))  # fmt: skip
    assert len(services.app.history(case_id)) == last

    # No snapshot can be taken any more: sealing one needs the destroyed key.
    with pytest.raises(KeyDestroyed):
        services.app.take_snapshot(case_id)

    # Integrity reads events only: the snapshots are neither checked nor exported.
    integrity = services.integrity
    assert integrity.verify().events_checked == STARTER_EVENTS + last + 30
    assert integrity.verify(case_id).ok
    raw = integrity.export(case_id)
    assert verify_bundle(raw).first_failure is None
    assert [e["version"] for e in json.loads(raw)["events"]] == list(range(1, last + 1))
    assert not [s for s in SECRETS if s in raw]

    # The other case keeps its key and its data.
    assert services.app.get_case(other).person == PERSON
