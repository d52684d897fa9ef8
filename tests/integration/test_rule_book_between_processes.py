"""A rule another process retires: a write on the event loop here relies on the book as it
read it for at most a second (ADR 0041); the trail then lists such a transfer as
unfounded; once that second is over, the next write reads the book and is refused."""

import asyncio
from datetime import date
from uuid import UUID

import pytest

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.application.app import Recorded
from coordination.bootstrap import Services
from coordination.domain.errors import ConsentRequired
from coordination.domain.identity import Actor, AgencyKind, Caller, Principal, Role
from coordination.domain.trail import consent_trail
from coordination.services.statutory import Editor
from tests.people import PERSON
from tests.support import FakeClock, add_agency

ABH, VHS = "abh-leipzig", "vhs-leipzig"
ADMIN = Editor(Actor("stadt-leipzig", "admin"), Role.ADMIN)
RULE = StatutoryRule(
    "abh-course-assignment", frozenset({"auslaenderbehoerde"}), frozenset({"sprachkurstraeger"}),
    frozenset({Category.IDENTITY, Category.CONTACT}), Purpose.LANGUAGE_COURSE,
    Norm("§ 9 Landesintegrationsgesetz (Beispiel)", "example"), date(2026, 1, 1), None,
)  # fmt: skip
COURSE = {"course_type": "integration_course", "provider": VHS}


def abh(svc: Services) -> Caller:
    agency = svc.directory.get_agency(ABH)
    assert agency is not None
    return Caller(Principal(agency, Role.CASEWORKER, "t", "abh-system"), "test")


def assign(svc: Services, case_id: UUID) -> Recorded:
    async def write() -> Recorded:
        return await svc.cases.record_event_async(
            abh(svc), case_id, "CourseAssigned", COURSE, None, None
        )

    return asyncio.run(write())


def test_a_retirement_elsewhere_holds_here_once_the_book_is_read_again(
    services: Services, other: Services, clock: FakeClock
) -> None:
    add_agency(services, ABH, AgencyKind.AUSLAENDERBEHOERDE)
    add_agency(services, VHS, AgencyKind.SPRACHKURSTRAEGER)
    other.statutory.add(ADMIN, RULE, "Land law")
    case_id = services.cases.open_case(
        abh(services), {"person": PERSON, "municipality": "leipzig"}, None
    ).case_id
    services.cases.grounds.fresh = float("inf")  # the book as read, for as long as it takes

    clock.advance(minutes=1)
    assert assign(services, case_id).version == 2  # the thread read the book: the rule holds
    clock.advance(minutes=1)
    other.statutory.retire(ADMIN, RULE.rule_id, "repealed")
    clock.advance(minutes=1)
    assert assign(services, case_id).version == 3  # on the loop, on the book as read

    trail = consent_trail(services.app.history(case_id), services.cases.grounds.now())
    assert [d.version for d in trail.unfounded] == [3]

    clock.advance(minutes=1)
    services.cases.grounds.fresh = 0.0  # the second is over
    with pytest.raises(ConsentRequired):
        assign(services, case_id)
