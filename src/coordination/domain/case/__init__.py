"""The Case aggregate: one per migrant, every agency's events in one history.

The case is composed of its parts, one module each: opening, the person's details after
it, consents, referrals, courses, agreements, qualifications, childcare and school
places, housing, the job centre's cooperation plan, emergency access and
administration. Each part declares its events (fields, how they are read, what is
sealed, their names) and the commands that record them. A command checks the case's
rules (`rules.py`), then triggers one event; an event changes the state only in its own
`apply`, so replaying a history runs no rule and never reads the clock.
"""

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from consent import ConsentLedger
from coordination.domain.case.administration import (
    Administration,
    CaseClosed,
    CaseErased,
    CaseReopened,
    CaseTransferred,
)
from coordination.domain.case.agreements import (
    AgreementAcknowledged,
    AgreementConcluded,
    AgreementEnded,
    AgreementReviewed,
    Agreements,
    HealthNeedsRecorded,
    MilestoneAdded,
    MilestoneCancelled,
    MilestoneMet,
    MilestoneRescheduled,
)
from coordination.domain.case.consents import ConsentGranted, Consents, ConsentWithdrawn
from coordination.domain.case.cooperation import (
    Cooperation,
    CooperationPlanAgreed,
    CooperationPlanReviewed,
)
from coordination.domain.case.courses import CourseAssigned, CourseCompleted, Courses
from coordination.domain.case.emergency import (
    Emergencies,
    EmergencyAccessEnded,
    EmergencyAccessOpened,
)
from coordination.domain.case.event import Event
from coordination.domain.case.housing import (
    AccommodationChanged,
    Housing,
    ResidenceObligationImposed,
    ResidenceObligationLifted,
)
from coordination.domain.case.merging import CaseMerged, Merging
from coordination.domain.case.opening import CaseOpened, Opening
from coordination.domain.case.person import (
    ContactChanged,
    PersonChanges,
    PersonCorrected,
    ResidenceStatusChanged,
)
from coordination.domain.case.places import Places, PlaceSecured
from coordination.domain.case.qualifications import (
    CompensationMeasurePassed,
    CompensationMeasureStarted,
    QualificationRecorded,
    Qualifications,
    RecognitionApplied,
    RecognitionDecided,
)
from coordination.domain.case.references import ExternalReferenceRecorded, References
from coordination.domain.case.referrals import (
    ReferralAccepted,
    ReferralCompleted,
    ReferralDeclined,
    Referrals,
    ReferralSent,
)
from coordination.domain.parts import Agreement, Course, EmergencyAccess, Qualification, Referral


class Case(
    Opening, PersonChanges, Consents, Referrals, Courses, Agreements, Qualifications,
    Places, Housing, Cooperation, Emergencies, References, Administration, Merging, Aggregate,
):  # fmt: skip
    # 2: emergency accesses; a snapshot taken before holds none.
    # 3: erased parts; an erasure before them erased the whole case ("": no controller).
    # 4: the case it was merged into; none before merging existed.
    # 5: the person's path: compensation measures, residence obligation, cooperation plan.
    class_version = 5

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["emergencies"] = {}

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["erased_parts"] = {"": None} if state.get("erased") else {}

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        state["merged_into"] = None

    @staticmethod
    def upcast_v4_v5(state: dict[str, Any]) -> None:
        state["compensation_measures"] = {}
        state["residence_obligation"] = None
        state["cooperation_plan"] = None

    def __init__(
        self,
        recorded_by: str,
        token_label: str,
        municipality: str,
        person: dict[str, Any],
        arrived_on: date | None,
        residence_status: str | None,
        user: str = "",  # who opened it stays in the event: the case keeps agencies only
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
        self.emergencies: dict[str, EmergencyAccess] = {}
        self.involved: set[str] = {recorded_by}
        self.erased_parts: dict[str, dict[str, str] | None] = {}
        self.merged_into: str | None = None
        self.compensation_measures: dict[str, date | None] = {}
        self.residence_obligation: date | None = None
        self.cooperation_plan: date | None = None


# Any event of a case's history.
CaseEvent = Event | CaseOpened

__all__ = [
    "AccommodationChanged",
    "AgreementAcknowledged",
    "AgreementConcluded",
    "AgreementEnded",
    "AgreementReviewed",
    "Case",
    "CaseClosed",
    "CaseErased",
    "CaseEvent",
    "CaseMerged",
    "CaseOpened",
    "CaseReopened",
    "CaseTransferred",
    "CompensationMeasurePassed",
    "CompensationMeasureStarted",
    "ConsentGranted",
    "ConsentWithdrawn",
    "ContactChanged",
    "CooperationPlanAgreed",
    "CooperationPlanReviewed",
    "CourseAssigned",
    "CourseCompleted",
    "EmergencyAccessEnded",
    "EmergencyAccessOpened",
    "Event",
    "ExternalReferenceRecorded",
    "HealthNeedsRecorded",
    "MilestoneAdded",
    "MilestoneCancelled",
    "MilestoneMet",
    "MilestoneRescheduled",
    "PersonCorrected",
    "PlaceSecured",
    "QualificationRecorded",
    "RecognitionApplied",
    "RecognitionDecided",
    "ReferralAccepted",
    "ReferralCompleted",
    "ReferralDeclined",
    "ReferralSent",
    "ResidenceObligationImposed",
    "ResidenceObligationLifted",
    "ResidenceStatusChanged",
]  # fmt: skip
