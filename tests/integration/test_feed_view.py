"""The feed view on both stores: each agency's entries numbered 1, 2, 3 … from the event
that related it to a case, none of a case it is not related to, and a rebuild from zero
numbering them exactly as before."""

from datetime import date
from typing import Any

from coordination.bootstrap import Services
from projections.runner import Follower
from tests.integration.test_statistics import ABH, MBE, VHS, WIDE_CONSENT, Story
from tests.support import FakeClock


def entries(services: Services, agency: str) -> list[tuple[int, str, int]]:
    view = services.projection("feed").view
    return [(e.number, e.case_id, e.version) for e in view.entries(agency, 0, 200)]


def rows(services: Services) -> list[tuple[Any, ...]]:
    view = services.projection("feed").view
    return sorted(tuple(r.values()) for r in view.rows("SELECT * FROM {p}feed_entries"))


def test_each_agency_numbers_the_events_of_its_cases_from_when_it_was_related(
    services: Services, clock: FakeClock
) -> None:
    s = Story(services, clock)
    s.at("2026-09-02T08:00:00+00:00")
    first, second = s.open(ABH, "leipzig"), s.open(ABH, "leipzig")
    s.record(ABH, first, "ConsentGranted", recipients=[MBE, VHS], given_on=date(2026, 9, 2),
             consent_id="wide", **WIDE_CONSENT)  # fmt: skip
    s.record(ABH, first, "CourseAssigned", course_type="integration_course", provider=VHS,
             course_id="ik")  # fmt: skip
    s.record(ABH, second, "ConsentGranted", recipients=[VHS], given_on=date(2026, 9, 2),
             consent_id="wide", **WIDE_CONSENT)  # fmt: skip
    Follower(services.app, services.projection("feed"), batch_size=2).catch_up()

    assert entries(services, ABH) == [
        (1, str(first), 1), (2, str(second), 1), (3, str(first), 2), (4, str(first), 3),
        (5, str(second), 2),
    ]  # fmt: skip
    assert entries(services, MBE) == [(1, str(first), 2), (2, str(first), 3)]
    assert entries(services, VHS) == [(1, str(first), 2), (2, str(first), 3), (3, str(second), 2)]

    live = rows(services)
    services.projection("feed").view.clear()
    Follower(services.app, services.projection("feed"), batch_size=500).catch_up()
    assert rows(services) == live
