"""The Case aggregate: one per migrant, every agency's events in one history.

Each public method is a command: it checks the case's rules (the `check_*`
guards), then triggers one event. Events are applied by their own `apply`, so
replaying history runs no rule twice and never consults the clock.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from consent import Category, Consent, ConsentLedger, Purpose, end_of_validity
from coordination.domain.identity import Actor
from coordination.domain.parts import (
    Agreement,
    Course,
    Milestone,
    Qualification,
    Referral,
    ReferralStatus,
)
from coordination.domain.rules import CaseRules


class Case(CaseRules, Aggregate):
    class Event(Aggregate.Event):
        recorded_by: str
        token_label: str

        def mutate(self, aggregate: Any) -> Any:
            # Recording an event on a case relates the agency to it for good.
            case = super().mutate(aggregate)
            assert case is not None
            case.involved.add(self.recorded_by)
            return case

    class CaseOpened(Aggregate.Created):
        recorded_by: str
        token_label: str
        municipality: str
        person: dict[str, Any]
        arrived_on: date | None
        residence_status: str | None

    def __init__(
        self,
        recorded_by: str,
        token_label: str,
        municipality: str,
        person: dict[str, Any],
        arrived_on: date | None,
        residence_status: str | None,
    ) -> None:
        self.municipality = municipality
        self.opened_by = recorded_by
        self.lead_agency = recorded_by
        self.person = person
        self.arrived_on = arrived_on
        self.residence_status = residence_status
        self.closed = False
        self.erased = False
        self.ledger = ConsentLedger()
        self.referrals: dict[str, Referral] = {}
        self.courses: dict[str, Course] = {}
        self.agreements: dict[str, Agreement] = {}
        self.qualifications: dict[str, Qualification] = {}
        self.involved: set[str] = {recorded_by}

    @classmethod
    def open(
        cls,
        by: Actor,
        at: datetime,
        *,
        municipality: str,
        person: dict[str, Any],
        arrived_on: date | None = None,
        residence_status: str | None = None,
        case_id: UUID | None = None,
    ) -> "Case":
        return cls._create(
            cls.CaseOpened,
            id=case_id,
            timestamp=at,
            recorded_by=by.agency,
            token_label=by.token_label,
            municipality=municipality,
            person=person,
            arrived_on=arrived_on,
            residence_status=residence_status,
        )

    def _record(
        self, event_class: type["Case.Event"], by: Actor, at: datetime, **data: Any
    ) -> None:
        self.check_may_record(by, event_class.__name__)
        self.trigger_event(
            event_class, timestamp=at, recorded_by=by.agency, token_label=by.token_label, **data
        )

    # Consents

    class ConsentGranted(Event):
        consent_id: str
        recipients: list[str]
        purposes: list[str]
        categories: list[str]
        given_on: date
        valid_until: date | None
        evidence: dict[str, Any]
        notice_version: str | None

        def apply(self, case: "Case") -> None:
            case.ledger.record(self.as_consent())
            case.involved.update(self.recipients)

        def as_consent(self) -> Consent:
            """The consent as the ledger holds it (the consent trail replays it too)."""
            return Consent(
                consent_id=self.consent_id,
                recipients=frozenset(self.recipients),
                purposes=frozenset(Purpose(p) for p in self.purposes),
                categories=frozenset(Category(c) for c in self.categories),
                given_on=self.given_on,
                expires_at=end_of_validity(self.valid_until) if self.valid_until else None,
            )

    def grant_consent(
        self,
        by: Actor,
        at: datetime,
        *,
        recipients: list[str],
        purposes: list[str],
        categories: list[str],
        given_on: date,
        evidence: dict[str, Any],
        valid_until: date | None = None,
        notice_version: str | None = None,
        consent_id: str | None = None,
        is_known_agency: Callable[[str], bool] = lambda _: True,
    ) -> str:
        self.check_recipients_known(recipients, is_known_agency)
        self.check_consent_is_valid(recipients, categories, evidence, given_on, valid_until)
        consent_id = self.new_id("consent", consent_id)
        self._record(
            self.ConsentGranted, by, at,
            consent_id=consent_id, recipients=recipients, purposes=purposes,
            categories=categories, given_on=given_on, valid_until=valid_until,
            evidence=evidence, notice_version=notice_version,
        )  # fmt: skip
        return consent_id

    class ConsentWithdrawn(Event):
        consent_id: str
        withdrawn_on: date | None
        reason: str | None

        def apply(self, case: "Case") -> None:
            case.ledger.withdraw(self.consent_id, self.timestamp)

    def withdraw_consent(
        self,
        by: Actor,
        at: datetime,
        *,
        consent_id: str,
        withdrawn_on: date | None = None,
        reason: str | None = None,
    ) -> None:
        self.check_consent_withdrawable(consent_id, at)
        self._record(
            self.ConsentWithdrawn, by, at,
            consent_id=consent_id, withdrawn_on=withdrawn_on, reason=reason,
        )  # fmt: skip

    # Referrals

    class ReferralSent(Event):
        referral_id: str
        to_agency: str
        purpose: str
        categories: list[str]
        note: str | None

        def apply(self, case: "Case") -> None:
            case.referrals[self.referral_id] = Referral(
                self.referral_id, self.recorded_by, self.to_agency, self.purpose, self.categories
            )

    def send_referral(
        self,
        by: Actor,
        at: datetime,
        *,
        to_agency: str,
        purpose: str,
        categories: list[str],
        note: str | None = None,
        referral_id: str | None = None,
    ) -> str:
        self.check_may_record(by, "ReferralSent")
        self.check_not_to_self(by, to_agency)
        self.check_consent_covers(to_agency, purpose, categories, at)
        referral_id = self.new_id("referral", referral_id)
        self._record(
            self.ReferralSent, by, at,
            referral_id=referral_id, to_agency=to_agency, purpose=purpose,
            categories=categories, note=note,
        )  # fmt: skip
        return referral_id

    class ReferralAccepted(Event):
        referral_id: str
        reason: str | None

        def apply(self, case: "Case") -> None:
            case.referrals[self.referral_id].status = ReferralStatus.ACCEPTED

    class ReferralDeclined(Event):
        referral_id: str
        reason: str | None

        def apply(self, case: "Case") -> None:
            case.referrals[self.referral_id].status = ReferralStatus.DECLINED

    class ReferralCompleted(Event):
        referral_id: str
        outcome: str

        def apply(self, case: "Case") -> None:
            case.referrals[self.referral_id].status = ReferralStatus.COMPLETED

    def accept_referral(
        self, by: Actor, at: datetime, *, referral_id: str, reason: str | None = None
    ) -> None:
        self.check_addressee_may_move(by, referral_id, ReferralStatus.SENT)
        self._record(self.ReferralAccepted, by, at, referral_id=referral_id, reason=reason)

    def decline_referral(
        self, by: Actor, at: datetime, *, referral_id: str, reason: str | None = None
    ) -> None:
        self.check_addressee_may_move(by, referral_id, ReferralStatus.SENT)
        self._record(self.ReferralDeclined, by, at, referral_id=referral_id, reason=reason)

    def complete_referral(self, by: Actor, at: datetime, *, referral_id: str, outcome: str) -> None:
        self.check_addressee_may_move(by, referral_id, ReferralStatus.ACCEPTED)
        self._record(self.ReferralCompleted, by, at, referral_id=referral_id, outcome=outcome)

    # Courses

    class CourseAssigned(Event):
        course_id: str
        course_type: str
        provider: str
        target_level: str | None
        starts_on: date | None

        def apply(self, case: "Case") -> None:
            case.courses[self.course_id] = Course(
                self.course_id, self.course_type, self.provider, self.recorded_by,
                self.target_level, self.starts_on,
            )  # fmt: skip
            case.involved.add(self.provider)

    def assign_course(
        self,
        by: Actor,
        at: datetime,
        *,
        course_type: str,
        provider: str,
        target_level: str | None = None,
        starts_on: date | None = None,
        course_id: str | None = None,
    ) -> str:
        self.check_may_record(by, "CourseAssigned")
        if provider != by.agency:
            self.check_consent_covers(
                provider, Purpose.LANGUAGE_COURSE, [Category.IDENTITY, Category.CONTACT], at
            )
        course_id = self.new_id("course", course_id)
        self._record(
            self.CourseAssigned, by, at,
            course_id=course_id, course_type=course_type, provider=provider,
            target_level=target_level, starts_on=starts_on,
        )  # fmt: skip
        return course_id

    class CourseCompleted(Event):
        course_id: str
        result: str
        completed_on: date

        def apply(self, case: "Case") -> None:
            course = case.courses[self.course_id]
            course.result, course.completed_on = self.result, self.completed_on

    def complete_course(
        self, by: Actor, at: datetime, *, course_id: str, result: str, completed_on: date
    ) -> None:
        self.check_course_active(course_id)
        self._record(
            self.CourseCompleted, by, at,
            course_id=course_id, result=result, completed_on=completed_on,
        )  # fmt: skip

    # Integration agreement (Integrationsvereinbarung) and its milestones

    class AgreementConcluded(Event):
        agreement_id: str
        signed_on: date
        milestones: list[dict[str, Any]]

        def apply(self, case: "Case") -> None:
            agreement = Agreement(self.agreement_id, self.signed_on, self.recorded_by)
            for m in self.milestones:
                agreement.milestones[m["milestone_id"]] = Milestone(
                    m["milestone_id"], m["title"], m["due_on"], m["responsible_agency"]
                )
                case.involved.add(m["responsible_agency"])
            case.agreements[self.agreement_id] = agreement

    def conclude_agreement(
        self,
        by: Actor,
        at: datetime,
        *,
        signed_on: date,
        milestones: list[dict[str, Any]],
        agreement_id: str | None = None,
    ) -> str:
        self.check_may_record(by, "AgreementConcluded")
        for owner in {m["responsible_agency"] for m in milestones} - {by.agency}:
            self.check_consent_covers(
                owner, Purpose.CASE_MANAGEMENT, [Category.INTEGRATION_PLAN], at
            )
        agreement_id = self.new_id("agreement", agreement_id)
        milestones = self.with_milestone_ids(milestones, taken={agreement_id})
        self._record(
            self.AgreementConcluded, by, at,
            agreement_id=agreement_id, signed_on=signed_on, milestones=milestones,
        )  # fmt: skip
        return agreement_id

    class MilestoneMet(Event):
        agreement_id: str
        milestone_id: str
        met_on: date
        note: str | None

        def apply(self, case: "Case") -> None:
            milestone = case.agreements[self.agreement_id].milestones[self.milestone_id]
            milestone.met_on = self.met_on

    def meet_milestone(
        self,
        by: Actor,
        at: datetime,
        *,
        agreement_id: str,
        milestone_id: str,
        met_on: date,
        note: str | None = None,
    ) -> None:
        self.check_milestone_open(agreement_id, milestone_id)
        self._record(
            self.MilestoneMet, by, at,
            agreement_id=agreement_id, milestone_id=milestone_id, met_on=met_on, note=note,
        )  # fmt: skip

    class MilestoneRescheduled(Event):
        agreement_id: str
        milestone_id: str
        due_on: date
        reason: str

        def apply(self, case: "Case") -> None:
            milestone = case.agreements[self.agreement_id].milestones[self.milestone_id]
            milestone.due_on = self.due_on

    def reschedule_milestone(
        self,
        by: Actor,
        at: datetime,
        *,
        agreement_id: str,
        milestone_id: str,
        due_on: date,
        reason: str,
    ) -> None:
        self.check_milestone_open(agreement_id, milestone_id)
        self._record(
            self.MilestoneRescheduled, by, at,
            agreement_id=agreement_id, milestone_id=milestone_id, due_on=due_on, reason=reason,
        )  # fmt: skip

    # Qualifications and their recognition (BQFG)

    class QualificationRecorded(Event):
        qualification_id: str
        title: str
        country: str
        level: str | None
        obtained_on: date | None

        def apply(self, case: "Case") -> None:
            case.qualifications[self.qualification_id] = Qualification(
                self.qualification_id, self.title, self.country, self.recorded_by,
                self.level, self.obtained_on,
            )  # fmt: skip

    def record_qualification(
        self,
        by: Actor,
        at: datetime,
        *,
        title: str,
        country: str,
        level: str | None = None,
        obtained_on: date | None = None,
        qualification_id: str | None = None,
    ) -> str:
        qualification_id = self.new_id("qualification", qualification_id)
        self._record(
            self.QualificationRecorded, by, at,
            qualification_id=qualification_id, title=title, country=country,
            level=level, obtained_on=obtained_on,
        )  # fmt: skip
        return qualification_id

    class RecognitionDecided(Event):
        qualification_id: str
        outcome: str
        decided_on: date

        def apply(self, case: "Case") -> None:
            qualification = case.qualifications[self.qualification_id]
            qualification.recognition, qualification.decided_on = self.outcome, self.decided_on

    def decide_recognition(
        self, by: Actor, at: datetime, *, qualification_id: str, outcome: str, decided_on: date
    ) -> None:
        self.check_qualification_recorded(qualification_id)
        self._record(
            self.RecognitionDecided, by, at,
            qualification_id=qualification_id, outcome=outcome, decided_on=decided_on,
        )  # fmt: skip

    # Case administration

    class CaseTransferred(Event):
        from_agency: str
        to_agency: str
        reason: str | None

        def apply(self, case: "Case") -> None:
            case.lead_agency = self.to_agency
            case.involved.add(self.to_agency)

    def transfer(
        self, by: Actor, at: datetime, *, to_agency: str, reason: str | None = None
    ) -> None:
        self.check_may_record(by, "CaseTransferred")
        self.check_is_lead(by)
        self.check_not_to_self(by, to_agency)
        self.check_consent_covers(to_agency, Purpose.CASE_MANAGEMENT, [Category.IDENTITY], at)
        self._record(
            self.CaseTransferred, by, at,
            from_agency=by.agency, to_agency=to_agency, reason=reason,
        )  # fmt: skip

    class CaseClosed(Event):
        reason: str

        def apply(self, case: "Case") -> None:
            case.closed = True

    def close(self, by: Actor, at: datetime, *, reason: str) -> None:
        self.check_is_lead(by)
        self._record(self.CaseClosed, by, at, reason=reason)

    # Erasure (Art. 17 GDPR): the event is recorded, then the case's key destroyed.

    class CaseErased(Aggregate.Event):
        # Not a Case.Event: erasing a case does not relate the erasing agency to it.
        recorded_by: str
        token_label: str
        reason: str
        legal_basis: str

        def apply(self, case: "Case") -> None:
            case.erased = True
            case.person, case.arrived_on, case.residence_status = {}, None, None

    def erase(self, by: Actor, at: datetime, *, reason: str, legal_basis: str) -> None:
        """Any agency's data-protection officer may erase; open or closed alike."""
        self.check_not_erased()
        self.trigger_event(
            self.CaseErased, timestamp=at, recorded_by=by.agency, token_label=by.token_label,
            reason=reason, legal_basis=legal_basis,
        )  # fmt: skip


CaseEvent = Case.Event | Case.CaseOpened | Case.CaseErased
