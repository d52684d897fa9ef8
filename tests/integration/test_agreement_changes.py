"""The integration agreement reviewed and changed, on both stores: a milestone added for
another agency, one cancelled (never overdue after), a review naming the next one, and
the agreement ended as fulfilled, after which its open milestones are overdue nowhere
and nothing more is recorded on it."""

from datetime import date
from uuid import UUID

import pytest

from coordination.bootstrap import Services
from coordination.domain.errors import WrongState
from projections.caseload.query import CaseloadQuery, read_page
from tests.integration.test_reopening import ABH, MBE, caller, case_id, catch_up, record
from tests.support import FakeClock

__all__ = ["case_id"]  # the fixture: the agreement of two milestones due in October
AGREEMENT = "agreement-1"


def overdue(services: Services, clock: FakeClock) -> int:
    (item,) = read_page(services.caseload, CaseloadQuery(ABH, clock.now))[0]
    return item.overdue_milestones


def test_an_agreement_is_reviewed_changed_and_ended(
    services: Services, case_id: UUID, clock: FakeClock
) -> None:
    # 1. At the review in September: a step added for the counselling service, one
    # cancelled as no longer needed, the next review set.
    record(services, MBE, case_id, "MilestoneAdded", agreement_id=AGREEMENT,
           title="Anerkennungsantrag gestellt", due_on=date(2026, 10, 15),
           responsible_agency=MBE)  # fmt: skip
    record(services, ABH, case_id, "MilestoneCancelled", agreement_id=AGREEMENT,
           milestone_id="registered", reason="registered elsewhere")  # fmt: skip
    record(services, ABH, case_id, "AgreementReviewed", agreement_id=AGREEMENT,
           reviewed_on=date(2026, 9, 1), outcome="going well",
           next_review_on=date(2027, 3, 1))  # fmt: skip
    agreement = services.app.get_case(case_id).agreements[AGREEMENT]
    assert sorted(agreement.milestones) == ["counselled", "milestone-1", "registered"]
    assert agreement.next_review_on == date(2027, 3, 1)
    with pytest.raises(WrongState, match="is cancelled"):
        record(services, MBE, case_id, "MilestoneMet", agreement_id=AGREEMENT,
               milestone_id="registered", met_on=date(2026, 9, 2))  # fmt: skip

    # 2. In November the two open ones are overdue, the cancelled one is not.
    clock.advance(days=70)
    catch_up(services)
    assert overdue(services, clock) == 2

    # 3. The agreement ends, its goals met: nothing is overdue, and nothing more is
    # recorded on it.
    record(services, ABH, case_id, "AgreementEnded", agreement_id=AGREEMENT,
           ended_on=date(2026, 11, 10), how="fulfilled")  # fmt: skip
    catch_up(services)
    assert overdue(services, clock) == 0
    with pytest.raises(WrongState, match="ended"):
        record(services, ABH, case_id, "AgreementReviewed", agreement_id=AGREEMENT,
               reviewed_on=date(2026, 11, 11), outcome="after the end")  # fmt: skip
    statistics = services.projection("statistics").view
    open_ones = statistics.rows(
        "SELECT milestone_id FROM {p}statistics_milestones WHERE case_id = %s AND open = 1",
        (str(case_id),),
    )
    assert open_ones == []
    assert caller(services, MBE).agency_id in services.app.get_case(case_id).involved
