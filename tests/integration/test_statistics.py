"""Evaluation statistics against a data set counted by hand.

Two municipalities over four months (Berlin time). Leipzig has eleven people
(L1..L11), Essen three (E1..E3). The expectations below were counted from the
story by hand, cell by cell; every cell not listed as shown must be suppressed.
"""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role
from coordination.services.statistics import StatisticsRequest
from projections.runner import Follower
from projections.statistics.view import StatisticsView
from tests.people import PERSON
from tests.support import FakeClock

ABH, MBE, VHS = "abh-leipzig", "mbe-leipzig", "vhs-leipzig"
ABH_E, MBE_E = "abh-essen", "mbe-essen"
WIDE_CONSENT = {"purposes": ["counselling", "case_management", "language_course"],
                "categories": ["identity", "contact", "integration_plan"],
                "evidence": {"method": "written"}}  # fmt: skip


class Story:
    """Records events as agencies of one municipality or the other, at set instants."""

    def __init__(self, services: Services, clock: FakeClock) -> None:
        self.services, self.clock = services, clock
        self.callers: dict[str, Caller] = {}
        for agency, town in ((ABH, "leipzig"), (MBE, "leipzig"), (VHS, "leipzig"),
                             (ABH_E, "essen"), (MBE_E, "essen")):  # fmt: skip
            self.callers[agency] = caller(services, agency, town, Role.CASEWORKER)

    def at(self, instant: str) -> None:
        self.clock.now = datetime.fromisoformat(instant).astimezone(UTC)

    def open(self, who: str, town: str) -> UUID:
        fields = {"person": PERSON, "municipality": town}
        return self.services.cases.open_case(self.callers[who], fields, None).case_id

    def record(self, who: str, case_id: UUID, kind: str, **fields: Any) -> None:
        self.services.cases.record_event(self.callers[who], case_id, kind, fields, None, None)


def caller(svc: Services, agency_id: str, town: str, role: Role) -> Caller:
    if svc.directory.get_agency(agency_id) is None:
        svc.directory.add_agency(Agency(agency_id, agency_id, AgencyKind.OTHER, town))
    agency = svc.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, role, "t", f"{agency_id}-{role.value}"), "test-request")


def milestone(slug: str, due_on: date) -> dict[str, Any]:
    return {"milestone_id": slug, "title": slug, "due_on": due_on, "responsible_agency": ABH}


def generate(services: Services, clock: FakeClock) -> None:
    s = Story(services, clock)
    s.at("2026-09-02T08:00:00+00:00")  # L1..L10 in Leipzig, E1..E3 in Essen
    leipzig = [s.open(ABH, "leipzig") for _ in range(10)]
    essen = [s.open(ABH_E, "essen") for _ in range(3)]
    september(s, leipzig, essen)
    october(s, leipzig, essen)
    november(s, leipzig)
    december(s, leipzig)


def september(s: Story, leipzig: list[UUID], essen: list[UUID]) -> None:
    """Consents and referrals of the people opened on 2 September; L11 opens at month end."""
    for c in leipzig:
        s.record(ABH, c, "ConsentGranted", recipients=[MBE, VHS], given_on=date(2026, 9, 2),
                 consent_id="wide", **WIDE_CONSENT)  # fmt: skip
    s.record(ABH, leipzig[0], "ConsentGranted", recipients=[MBE], purposes=["housing"],
             categories=["identity"], given_on=date(2026, 9, 2),
             evidence={"method": "oral_witnessed"})  # fmt: skip
    for c in essen:
        s.record(ABH_E, c, "ConsentGranted", recipients=[MBE_E], given_on=date(2026, 9, 2),
                 consent_id="wide", **WIDE_CONSENT)  # fmt: skip
    s.at("2026-09-03T08:00:00+00:00")
    for c in leipzig[:8]:
        s.record(ABH, c, "ReferralSent", to_agency=MBE, purpose="counselling",
                 categories=["identity"], referral_id="ref")  # fmt: skip
    for c in essen:
        s.record(ABH_E, c, "ReferralSent", to_agency=MBE_E, purpose="counselling",
                 categories=["identity"], referral_id="ref")  # fmt: skip
    s.at("2026-09-04T08:00:00+00:00")
    s.record(MBE_E, essen[0], "ReferralAccepted", referral_id="ref")
    # 22:30 UTC on 30 September is 00:30 on 1 October in Berlin: L11 opens in October.
    s.at("2026-09-30T22:30:00+00:00")
    s.open(ABH, "leipzig")


def october(s: Story, leipzig: list[UUID], essen: list[UUID]) -> None:
    """Six acceptances (32, 33, 35, 37, 40 and 47 days), two declines, courses, agreements."""
    for c, instant in zip(leipzig[:6], ("2026-10-05T08:00:00+00:00", "2026-10-06T08:00:00+00:00",
                          "2026-10-08T08:00:00+00:00", "2026-10-10T08:00:00+00:00",
                          "2026-10-13T08:00:00+00:00", "2026-10-19T22:30:00+00:00"),
                          strict=True):  # fmt: skip
        s.at(instant)  # the last is 20 October in Berlin, not the 19th
        s.record(MBE, c, "ReferralAccepted", referral_id="ref")
    s.at("2026-10-21T08:00:00+00:00")
    s.record(MBE, leipzig[6], "ReferralDeclined", referral_id="ref")
    s.record(MBE, leipzig[7], "ReferralDeclined", referral_id="ref")
    s.record(MBE_E, essen[1], "ReferralAccepted", referral_id="ref")
    s.at("2026-10-22T08:00:00+00:00")
    for c in leipzig[:6]:
        s.record(ABH, c, "CourseAssigned", course_type="integration_course", provider=VHS,
                 course_id="ik")  # fmt: skip
    s.record(ABH, leipzig[0], "CourseAssigned", course_type="literacy_course", provider=VHS,
             course_id="alpha")  # fmt: skip
    s.at("2026-10-23T08:00:00+00:00")
    for n, c in enumerate(leipzig):
        plan = [milestone("sprachkurs", date(2026, 11, 15))]
        if n < 5:
            plan.append(milestone("anerkennung", date(2026, 11, 1)))
        if n < 6:
            plan.append(milestone("kita", date(2026, 12, 15)))
        if n < 8:
            plan.append(milestone("wohnung", date(2026, 11, 20)))
        s.record(ABH, c, "AgreementConcluded", signed_on=date(2026, 10, 23), milestones=plan,
                 agreement_id="iv")  # fmt: skip
    s.at("2026-10-30T08:00:00+00:00")  # after the switch to winter time
    for c in leipzig[8:10]:
        s.record(ABH, c, "ConsentWithdrawn", consent_id="wide")


def november(s: Story, leipzig: list[UUID]) -> None:
    """Five referrals completed, seven courses, fifteen milestones; one moved into
    January."""
    s.at("2026-11-01T08:00:00+00:00")
    s.record(ABH, leipzig[9], "MilestoneRescheduled", agreement_id="iv", milestone_id="sprachkurs",
             due_on=date(2026, 11, 30), reason="Kurs verschoben")  # fmt: skip
    s.at("2026-11-02T08:00:00+00:00")
    for c in leipzig[:5]:
        s.record(MBE, c, "ReferralCompleted", referral_id="ref", outcome="beraten")
    s.at("2026-11-03T08:00:00+00:00")
    for c, result in zip(leipzig[:6], ("B1", "B1", "B1", "B1", "B1", "A2"), strict=True):
        s.record(VHS, c, "CourseCompleted", course_id="ik", result=result,
                 completed_on=date(2026, 11, 3))  # fmt: skip
    s.record(VHS, leipzig[0], "CourseCompleted", course_id="alpha", result="A2",
             completed_on=date(2026, 11, 3))  # fmt: skip
    s.at("2026-11-10T08:00:00+00:00")
    for c in leipzig[:5]:
        for slug in ("sprachkurs", "anerkennung"):  # due 15 and 1 November
            s.record(ABH, c, "MilestoneMet", agreement_id="iv", milestone_id=slug,
                     met_on=date(2026, 11, 10))  # fmt: skip
    s.at("2026-11-20T08:00:00+00:00")
    for c in leipzig[5:10]:  # L10's was moved to 30 November: on time
        s.record(ABH, c, "MilestoneMet", agreement_id="iv", milestone_id="sprachkurs",
                 met_on=date(2026, 11, 20))  # fmt: skip
    s.at("2026-11-25T08:00:00+00:00")  # L3's wohnung, due 20 November, moved
    s.record(ABH, leipzig[2], "MilestoneRescheduled", agreement_id="iv", milestone_id="wohnung",
             due_on=date(2027, 1, 15), reason="Besichtigung im Januar")  # fmt: skip


def december(s: Story, leipzig: list[UUID]) -> None:
    """The milestone kita (due 15 December) met on time by five people, late by one;
    L1's wohnung met late; L7's case closed with its wohnung unmet."""
    s.at("2026-12-03T08:00:00+00:00")
    s.record(ABH, leipzig[6], "CaseClosed", reason="weggezogen")
    s.at("2026-12-05T08:00:00+00:00")
    s.record(ABH, leipzig[0], "MilestoneMet", agreement_id="iv", milestone_id="wohnung",
             met_on=date(2026, 12, 5))  # fmt: skip
    s.at("2026-12-10T08:00:00+00:00")
    for c in leipzig[:5]:
        s.record(ABH, c, "MilestoneMet", agreement_id="iv", milestone_id="kita",
                 met_on=date(2026, 12, 10))  # fmt: skip
    s.at("2026-12-20T08:00:00+00:00")
    s.record(ABH, leipzig[5], "MilestoneMet", agreement_id="iv", milestone_id="kita",
             met_on=date(2026, 12, 20))  # fmt: skip


# Counted by hand from the story: (month, measure, detail) -> (people, events).
# Every other cell of Leipzig, September to December, is suppressed.
LEIPZIG_SHOWN = {
    ("2026-09", "cases_opened", None): (10, 10),  # L11 opened on 1 October, Berlin time
    ("2026-09", "consents_granted", None): (10, 11),  # L1 gave two
    ("2026-09", "referrals_sent", None): (8, 8),  # Essen's three are not Leipzig's
    ("2026-09", "referrals_sent", "counselling"): (8, 8),  # all eight for counselling
    ("2026-10", "referrals_accepted", None): (6, 6),
    ("2026-10", "courses_assigned", None): (6, 7),  # L1 has two courses
    ("2026-10", "agreements_concluded", None): (10, 10),
    ("2026-11", "referrals_completed", None): (5, 5),
    ("2026-11", "courses_completed", None): (6, 7),
    ("2026-11", "courses_completed", "B1"): (5, 5),  # A2: L6 and L1's second course, 2
    ("2026-11", "milestones_met", None): (10, 15),
    ("2026-11", "milestones_met", "on_time"): (6, 6),  # L1-L5 sprachkurs, L10 rescheduled
    ("2026-11", "milestones_met", "late"): (9, 9),  # L1-L5 anerkennung, L6-L9 sprachkurs
    # Every milestone here is an agency's: the person's side is empty, so the agencies'
    # part, the total minus it, is suppressed with it.
    ("2026-11", "obligations_met", None): (10, 15),
    # Wohnung (due 20 November) unmet at the end of November by L1, L2 and L4 to L8: L3's
    # was moved into January before the month ended.
    ("2026-11", "milestones_overdue", None): (7, 7),
    # December: 7 met, 5 on time, 2 late (L6's kita, L1's wohnung). The late cell is
    # small, and the total minus the on-time cell would give it away, so on time is
    # suppressed too.
    ("2026-12", "milestones_met", None): (6, 7),
    ("2026-12", "obligations_met", None): (6, 7),
    # L1 met its wohnung and L7's case was closed: L2, L4, L5, L6 and L8 are left.
    ("2026-12", "milestones_overdue", None): (5, 5),
}
# Median of 32, 33, 35, 37, 40, 47 days from 3 September (Berlin dates).
LEIPZIG_MEDIANS = {"2026-09": None, "2026-10": 36.0, "2026-11": None, "2026-12": None}


@pytest.fixture
def auditor(services: Services) -> Caller:
    return caller(services, "kreis-leipzig", "leipzig", Role.AUDITOR)


@pytest.fixture
def story(services: Services, clock: FakeClock) -> Follower:
    generate(services, clock)
    follower = Follower(services.app, services.projection("statistics"), batch_size=17)
    follower.catch_up()
    return follower


def shown(months: list[Any]) -> dict[tuple[str, str, str | None], tuple[int, int]]:
    return {
        (m.month, c.measure, c.detail): (c.people, c.events)
        for m in months
        for c in m.cells.values()
        if not c.suppressed
    }


def test_statistics_match_the_hand_count(
    services: Services, story: Follower, auditor: Caller
) -> None:
    request = StatisticsRequest(first="2026-09", last="2026-12")
    report = services.statistics.read(auditor, request)

    assert report.municipality == "leipzig"
    assert [m.month for m in report.months] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert shown(report.months) == LEIPZIG_SHOWN
    medians = {m.month: m.median_days_to_acceptance.days for m in report.months}
    assert medians == LEIPZIG_MEDIANS
    december = report.months[3].cells
    assert december[("milestones_met", "on_time")].people is None
    assert december[("milestones_met", "late")].events is None
    # Every month lists every cell: 13 totals, 9 purposes of referrals, 9 course
    # results, on time and late, the person's side and the agencies'.
    assert {len(m.cells) for m in report.months} == {35}


def test_small_municipalities_show_nothing(services: Services, story: Follower) -> None:
    essen = caller(services, "stadt-essen", "essen", Role.AUDITOR)
    report = services.statistics.read(essen, StatisticsRequest(first="2026-09", last="2026-10"))
    assert shown(report.months) == {}  # three people: every cell is below five
    assert all(m.median_days_to_acceptance.suppressed for m in report.months)


def test_months_outside_the_range_are_left_out(
    services: Services, story: Follower, auditor: Caller
) -> None:
    report = services.statistics.read(auditor, StatisticsRequest(first="2026-10", last="2026-10"))
    assert shown(report.months) == {k: v for k, v in LEIPZIG_SHOWN.items() if k[0] == "2026-10"}


def test_every_read_is_in_the_access_log(
    services: Services, story: Follower, auditor: Caller
) -> None:
    services.statistics.read(auditor, StatisticsRequest(first="2026-09", last="2026-12"))
    entries = [e for e in services.access_log.between(datetime(2026, 1, 1, tzinfo=UTC),
               datetime(2027, 1, 1, tzinfo=UTC)) if e.reason == "statistics"]  # fmt: skip
    assert [(e.agency_id, e.role, e.action, e.case_id, e.basis) for e in entries] == [
        ("kreis-leipzig", "auditor", "read", None, {"role": "auditor"})
    ]


def test_no_personal_data_in_the_statistics_tables(services: Services, story: Follower) -> None:
    view = services.projection("statistics").view
    text = repr(rows(view))
    # Ids (case, referral, milestone) are kept to join later events, and the parts of the
    # breakdowns (a referral's purpose, a course's result); nothing else of a case.
    for value in ("Amina", "Haddad", "+49", "SY", "beraten", "Kurs verschoben", "weggezogen"):
        assert value not in text
    assert "counselling" in text  # the purpose of the referrals, as a breakdown's part


def rows(view: StatisticsView) -> dict[str, list[tuple[Any, ...]]]:
    # By name: a view brought up to date has its columns in the order they were added.
    named = {table: [tuple(sorted(r.items())) for r in view.rows(f"SELECT * FROM {{p}}{table}")]
             for table in view.table_names}  # fmt: skip
    return {table: sorted(found, key=repr) for table, found in named.items()}


def test_a_view_without_due_dates_by_day_is_rebuilt(services: Services, story: Follower) -> None:
    view = services.projection("statistics").view
    live = rows(view)
    with view.db.transaction() as cursor:
        view.db.run(cursor, "DELETE FROM {p}statistics_schedules")

    view.create_tables()  # as the service does when it starts

    assert view.position(services.app.name) == 0
    Follower(services.app, services.projection("statistics"), batch_size=500).catch_up()
    assert rows(view) == live


def test_a_view_that_does_not_tell_met_milestones_is_rebuilt(
    services: Services, story: Follower
) -> None:
    view = services.projection("statistics").view
    live = rows(view)
    with view.db.transaction() as cursor:
        view.db.run(cursor, "ALTER TABLE {p}statistics_milestones DROP COLUMN open")

    view.create_tables()  # as the service does when it starts

    assert view.position(services.app.name) == 0
    Follower(services.app, services.projection("statistics"), batch_size=500).catch_up()
    assert rows(view) == live


def test_a_rebuild_from_zero_equals_the_live_view(services: Services, story: Follower) -> None:
    view = services.projection("statistics").view
    live = rows(view)
    assert len(live["statistics_facts"]) > 90

    view.clear()
    assert view.position(services.app.name) == 0
    Follower(services.app, services.projection("statistics"), batch_size=500).catch_up()

    assert rows(view) == live
    assert view.position(services.app.name) == services.app.recorder.max_notification_id()
