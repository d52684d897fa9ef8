"""Statistics projection: each handler turns one event into at most one fact.

Facts are dated by when the event was recorded, in Berlin time: the store
knows that instant for every event, and it never moves, whereas dates inside
events (given_on, completed_on) may be entered late.
"""

from datetime import date, datetime
from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from consent.record import LOCAL_TIME
from coordination.domain.case import (
    AgreementConcluded,
    AgreementEnded,
    CaseClosed,
    CaseErased,
    CaseMerged,
    CaseOpened,
    CaseReopened,
    ConsentGranted,
    ConsentWithdrawn,
    CourseAssigned,
    CourseCompleted,
    Event,
    MilestoneAdded,
    MilestoneCancelled,
    MilestoneMet,
    MilestoneRescheduled,
    ReferralAccepted,
    ReferralCompleted,
    ReferralDeclined,
    ReferralSent,
)
from coordination.domain.values import Side
from projections.statistics.view import StatisticsView


def month_of(at: datetime) -> str:
    return at.astimezone(LOCAL_TIME).strftime("%Y-%m")


def day_of(at: datetime) -> date:
    return at.astimezone(LOCAL_TIME).date()


class StatisticsProjection(Projection[StatisticsView]):
    name = "statistics"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        # The batch records the tracking position.
        if isinstance(domain_event, Event | CaseOpened):  # not the rule book's events
            self.apply(domain_event)

    def count(self, e: Event | CaseOpened, measure: str, detail: str | None = None) -> None:
        self.view.counted(str(e.originator_id), e.originator_version, month_of(e.timestamp),
                          measure, detail)  # fmt: skip

    @singledispatchmethod
    def apply(self, event: Any) -> None:
        """Events the evaluation does not count (qualifications, transfers)."""

    @apply.register
    def _(self, e: CaseOpened) -> None:
        self.view.case_opened(str(e.originator_id), e.municipality)
        self.count(e, "cases_opened")

    @apply.register
    def _(self, e: ConsentGranted) -> None:
        self.count(e, "consents_granted")

    @apply.register
    def _(self, e: ConsentWithdrawn) -> None:
        self.count(e, "consents_withdrawn")

    @apply.register
    def _(self, e: ReferralSent) -> None:
        self.view.referral_sent(str(e.originator_id), e.referral_id, day_of(e.timestamp))
        self.count(e, "referrals_sent", str(e.purpose))

    @apply.register
    def _(self, e: ReferralAccepted) -> None:
        self.view.referral_accepted(
            str(e.originator_id), e.originator_version, month_of(e.timestamp), e.referral_id,
            day_of(e.timestamp),
        )  # fmt: skip

    @apply.register
    def _(self, e: ReferralDeclined) -> None:
        self.count(e, "referrals_declined")

    @apply.register
    def _(self, e: ReferralCompleted) -> None:
        self.count(e, "referrals_completed")

    @apply.register
    def _(self, e: CourseAssigned) -> None:
        self.count(e, "courses_assigned")

    @apply.register
    def _(self, e: CourseCompleted) -> None:
        self.count(e, "courses_completed", e.result)

    @apply.register
    def _(self, e: AgreementConcluded) -> None:
        for m in e.milestones:
            self.view.milestone_agreed(str(e.originator_id), e.originator_version,
                                       day_of(e.timestamp), e.agreement_id, m["milestone_id"],
                                       m["due_on"], m.get("owner") or Side.AGENCY)  # fmt: skip
        self.count(e, "agreements_concluded")

    @apply.register
    def _(self, e: MilestoneMet) -> None:
        self.view.milestone_met(str(e.originator_id), e.originator_version, month_of(e.timestamp),
                                day_of(e.timestamp), e.agreement_id, e.milestone_id,
                                e.met_on)  # fmt: skip

    @apply.register
    def _(self, e: MilestoneRescheduled) -> None:
        self.view.milestone_rescheduled(str(e.originator_id), e.originator_version,
                                        day_of(e.timestamp), e.agreement_id, e.milestone_id,
                                        e.due_on)  # fmt: skip

    @apply.register
    def _(self, e: MilestoneAdded) -> None:
        self.view.milestone_agreed(str(e.originator_id), e.originator_version,
                                   day_of(e.timestamp), e.agreement_id, e.milestone_id,
                                   e.due_on, e.owner)  # fmt: skip

    @apply.register
    def _(self, e: MilestoneCancelled) -> None:
        self.view.milestones_done(str(e.originator_id), day_of(e.timestamp), e.agreement_id,
                                  e.milestone_id)  # fmt: skip

    @apply.register
    def _(self, e: AgreementEnded) -> None:
        self.view.milestones_done(str(e.originator_id), day_of(e.timestamp), e.agreement_id)

    @apply.register
    def _(self, e: CaseClosed) -> None:
        self.view.case_ended(str(e.originator_id), day_of(e.timestamp))

    @apply.register
    def _(self, e: CaseMerged) -> None:
        self.view.case_ended(str(e.originator_id), day_of(e.timestamp))

    @apply.register
    def _(self, e: CaseReopened) -> None:
        self.view.case_reopened(str(e.originator_id), e.originator_version, day_of(e.timestamp))

    @apply.register
    def _(self, e: CaseErased) -> None:
        if e.whole:
            self.view.case_ended(str(e.originator_id), day_of(e.timestamp))
