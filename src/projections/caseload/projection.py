"""Caseload projection: each handler turns one event into row changes."""

from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from consent import end_of_validity, start_of_day
from coordination.domain.case import (
    AgreementConcluded,
    AgreementEnded,
    AgreementReviewed,
    CaseClosed,
    CaseErased,
    CaseMerged,
    CaseOpened,
    CaseReopened,
    CaseTransferred,
    ConsentGranted,
    ConsentWithdrawn,
    CourseAssigned,
    CourseCompleted,
    Event,
    MilestoneAdded,
    MilestoneCancelled,
    MilestoneMet,
    MilestoneRescheduled,
    PersonCorrected,
    ReferralAccepted,
    ReferralCompleted,
    ReferralDeclined,
    ReferralSent,
)
from coordination.domain.values import Side
from projections.caseload.view import CaseloadView


class CaseloadProjection(Projection[CaseloadView]):
    name = "caseload"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        # The batch records the tracking position; every event dates its case.
        if not isinstance(domain_event, Event | CaseOpened):
            return  # another stream of the store (the rule book): no case of a caseload
        self.apply(domain_event)
        if not isinstance(domain_event, CaseOpened):
            self.view.touched(str(domain_event.originator_id), domain_event.timestamp)

    @singledispatchmethod
    def apply(self, event: Any) -> None:
        """Events that change no caseload fact (qualifications, recognition)."""

    @apply.register
    def _(self, e: CaseOpened) -> None:
        person = e.person or {}  # None once the case is erased
        name = (person.get("given_name"), person.get("family_name"))
        self.view.case_opened(str(e.originator_id), e.municipality, e.recorded_by, name,
                              e.timestamp)  # fmt: skip

    @apply.register
    def _(self, e: PersonCorrected) -> None:
        self.view.renamed(str(e.originator_id), (e.given_name, e.family_name), e.recorded_by)

    @apply.register
    def _(self, e: ConsentGranted) -> None:
        expires = end_of_validity(e.valid_until) if e.valid_until else None
        # A consent that names its disclosers opens only what they recorded; the
        # caseload's consent rows keep no disclosers, so such a consent opens nothing
        # here (the case read applies it in full) and only relates its recipients.
        categories = e.categories if e.disclosers is None else []
        self.view.consent_granted(str(e.originator_id), e.consent_id, e.recipients,
                                  categories, start_of_day(e.given_on), expires)  # fmt: skip

    @apply.register
    def _(self, e: ConsentWithdrawn) -> None:
        self.view.consent_withdrawn(str(e.originator_id), e.consent_id, e.timestamp)

    @apply.register
    def _(self, e: ReferralSent) -> None:
        self.view.referral_sent(str(e.originator_id), e.referral_id, e.recorded_by, e.to_agency)

    @apply.register
    def _(self, e: ReferralAccepted) -> None:
        self.view.referral_moved(str(e.originator_id), e.referral_id, "accepted")

    @apply.register
    def _(self, e: ReferralDeclined) -> None:
        self.view.referral_moved(str(e.originator_id), e.referral_id, "declined")

    @apply.register
    def _(self, e: ReferralCompleted) -> None:
        self.view.referral_moved(str(e.originator_id), e.referral_id, "completed")

    @apply.register
    def _(self, e: CourseAssigned) -> None:
        self.view.course_assigned(str(e.originator_id), e.course_id, e.provider)

    @apply.register
    def _(self, e: CourseCompleted) -> None:
        self.view.course_completed(str(e.originator_id), e.course_id)

    @apply.register
    def _(self, e: AgreementConcluded) -> None:
        for m in e.milestones:
            self.view.milestone_agreed(
                str(e.originator_id), e.agreement_id, m["milestone_id"],
                m["responsible_agency"], e.recorded_by, m["title"], m["due_on"],
                m.get("owner") or Side.AGENCY,
            )  # fmt: skip

    @apply.register
    def _(self, e: MilestoneMet) -> None:
        self.view.milestone_changed(str(e.originator_id), e.agreement_id, e.milestone_id, met=True)

    @apply.register
    def _(self, e: MilestoneRescheduled) -> None:
        self.view.milestone_changed(
            str(e.originator_id), e.agreement_id, e.milestone_id, due_on=e.due_on
        )

    @apply.register
    def _(self, e: MilestoneAdded) -> None:
        self.view.milestone_agreed(
            str(e.originator_id), e.agreement_id, e.milestone_id, e.responsible_agency,
            e.recorded_by, e.title, e.due_on, e.owner,
        )  # fmt: skip

    @apply.register
    def _(self, e: MilestoneCancelled) -> None:
        # Cancelled, a milestone is done with: never overdue, no longer in anyone's way.
        self.view.milestone_changed(str(e.originator_id), e.agreement_id, e.milestone_id, met=True)

    @apply.register
    def _(self, e: AgreementReviewed) -> None:
        # The agency that concluded the agreement reviews it next, whoever reviewed it now.
        self.view.review_set(str(e.originator_id), e.agreement_id, e.next_review_on)

    @apply.register
    def _(self, e: AgreementEnded) -> None:
        self.view.agreement_ended(str(e.originator_id), e.agreement_id)

    @apply.register
    def _(self, e: CaseTransferred) -> None:
        self.view.lead_changed(str(e.originator_id), e.to_agency)

    @apply.register
    def _(self, e: CaseClosed) -> None:
        self.view.closed(str(e.originator_id))

    @apply.register
    def _(self, e: CaseMerged) -> None:
        # Merged, a case is closed: its work goes on in the case it was merged into.
        self.view.closed(str(e.originator_id))

    @apply.register
    def _(self, e: CaseReopened) -> None:
        self.view.reopened(str(e.originator_id))

    @apply.register
    def _(self, e: CaseErased) -> None:
        # Nothing is left to do on a case erased whole; its sealed texts no longer open.
        # An erased part's texts no longer open either; the other agencies go on.
        if e.whole:
            self.view.closed(str(e.originator_id))
