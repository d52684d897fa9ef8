"""Reopening a closed case, on both stores: only its lead agency reopens it, saying why;
afterwards it takes events again, is back in the caseload, and its open milestones can
be overdue again. An open case cannot be reopened."""

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from coordination.bootstrap import Services
from coordination.domain.errors import CaseIsClosed, NotPermitted, WrongState
from coordination.domain.identity import AgencyKind, Caller
from projections.caseload.query import CaseloadQuery, read_page
from projections.runner import Follower
from tests.people import PERSON
from tests.support import FakeClock, caseworker

ABH, MBE = "abh-leipzig", "mbe-caritas-leipzig"
KINDS = {ABH: AgencyKind.AUSLAENDERBEHOERDE, MBE: AgencyKind.MIGRATIONSBERATUNG}


def caller(services: Services, agency_id: str) -> Caller:
    return caseworker(services, agency_id, KINDS[agency_id])


def record(services: Services, agency_id: str, case_id: UUID, kind: str, **fields: Any) -> None:
    services.cases.record_event(caller(services, agency_id), case_id, kind, fields, None, None)


@pytest.fixture
def case_id(services: Services) -> UUID:
    """Led by the foreigners authority; the counselling service is related (consent), and
    owns two milestones due in October."""
    caller(services, MBE)  # registered
    opened = services.cases.open_case(
        caller(services, ABH), {"person": PERSON, "municipality": "leipzig"}, None
    )
    record(services, ABH, opened.case_id, "ConsentGranted", recipients=[MBE],
           purposes=["counselling", "case_management"],
           categories=["identity", "integration_plan"], given_on=date(2026, 9, 1),
           evidence={"method": "written"})  # fmt: skip
    milestones = [{"title": slug, "due_on": date(2026, 10, 1), "responsible_agency": MBE,
                   "milestone_id": slug} for slug in ("counselled", "registered")]  # fmt: skip
    record(services, ABH, opened.case_id, "AgreementConcluded", signed_on=date(2026, 9, 1),
           milestones=milestones)  # fmt: skip
    return opened.case_id


def status(services: Services, case_id: UUID) -> str:
    _, view = services.cases.read_case(caller(services, ABH), case_id)
    assert view.data is not None
    found: str = view.data["status"]
    return found


def test_only_the_lead_reopens_a_closed_case_and_events_follow_again(
    services: Services, case_id: UUID, clock: FakeClock
) -> None:
    # 1. The lead closes the case: nothing more can be recorded on it.
    record(services, ABH, case_id, "CaseClosed", reason="moved away")
    with pytest.raises(CaseIsClosed):
        record(services, MBE, case_id, "QualificationRecorded", title="Pflege", country="SY")

    # 2. The counselling service, related but not the lead, may not reopen it.
    with pytest.raises(NotPermitted):
        record(services, MBE, case_id, "CaseReopened", reason="she is back")
    assert status(services, case_id) == "closed"

    # 3. The lead reopens it, saying why; the reason is in the history.
    clock.advance(days=60)
    record(services, ABH, case_id, "CaseReopened", reason="she moved back to Leipzig")
    assert status(services, case_id) == "open"
    last = services.cases.read_history(caller(services, MBE), case_id)[-1]
    assert type(last.event).__name__ == "CaseReopened"
    assert last.view.data == {"reason": "she moved back to Leipzig"}

    # 4. Events can be recorded again.
    record(services, MBE, case_id, "QualificationRecorded", title="Pflege", country="SY")


def test_an_open_case_cannot_be_reopened(services: Services, case_id: UUID) -> None:
    version = services.app.get_case(case_id).version
    with pytest.raises(WrongState, match="is open; this needs it closed"):
        record(services, ABH, case_id, "CaseReopened", reason="by mistake")
    assert services.app.get_case(case_id).version == version  # nothing was recorded


def test_a_reopened_case_is_back_in_the_caseload_and_its_milestone_due_again(
    services: Services, case_id: UUID, clock: FakeClock
) -> None:
    # 1. One milestone met; the case closed in September, before the other fell due, and
    # reopened in November.
    record(services, MBE, case_id, "MilestoneMet", agreement_id="agreement-1",
           milestone_id="registered", met_on=date(2026, 9, 1))  # fmt: skip
    record(services, ABH, case_id, "CaseClosed", reason="moved away")
    catch_up(services)
    assert lead_caseload(services, clock) == []
    clock.advance(days=70)
    record(services, ABH, case_id, "CaseReopened", reason="she moved back")
    catch_up(services)

    # 2. The lead has it in its caseload again, with the open milestone overdue.
    (item,) = read_page(services.caseload, CaseloadQuery(ABH, clock.now))[0]
    assert item.overdue_milestones == 1
    # 3. The statistics count the open milestone overdue from the day the case was
    # reopened, not while it was closed; the one met stays met.
    statistics = services.projection("statistics").view
    schedules = statistics.rows(
        "SELECT milestone_id, from_day, to_day FROM {p}statistics_schedules"
        " WHERE case_id = %s ORDER BY version, milestone_id", (str(case_id),),
    )  # fmt: skip
    assert [tuple(s.values()) for s in schedules] == [
        ("counselled", "2026-09-01", "2026-09-01"), ("registered", "2026-09-01", "2026-09-01"),
        ("counselled", "2026-11-10", None)]  # fmt: skip


def catch_up(services: Services) -> None:
    for name in ("caseload", "statistics"):
        Follower(services.app, services.projection(name)).catch_up()


def lead_caseload(services: Services, clock: FakeClock) -> list[str]:
    items, _ = read_page(services.caseload, CaseloadQuery(ABH, clock.now))
    return [i.case_id for i in items]
