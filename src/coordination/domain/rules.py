"""The case's rules, one guard each; every guard raises an error from `errors`."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from consent import SPECIAL_CATEGORIES, Category, ConsentStatus, EvidenceMethod
from coordination.domain.declaration import Declaration
from coordination.domain.errors import (
    CaseIsClosed,
    CaseIsErased,
    ConsentNotObtained,
    ConsentOwnAccess,
    ConsentRequired,
    DuplicateId,
    InvalidEvent,
    NotPermitted,
    PartIsErased,
    UnknownReference,
    WrongState,
)
from coordination.domain.grounds import Grounds, founding
from coordination.domain.identity import Actor
from coordination.domain.parts import ReferralStatus
from coordination.domain.values import FOR_MINORS, RecognitionOutcome, Representation

if TYPE_CHECKING:
    from collections.abc import Callable

    from consent import ConsentLedger
    from coordination.domain.flows import Flow
    from coordination.domain.parts import (
        Agreement,
        Course,
        EmergencyAccess,
        Qualification,
        Referral,
    )

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")


@dataclass(frozen=True)
class Survivor:
    """What a merge must know of the case it merges into; the application looks it up.
    A case the merging agency may not read is told apart from none at all by nothing."""

    case_id: str
    # The merging agency may read the person on it (it is not erased, and the agency
    # leads it or the person's consent lets it read her): the agreement a merge needs.
    readable: bool
    merged: bool = False


class Declared(Protocol):
    declared: ClassVar[Declaration]


class CaseRules:
    """The state every part of a case sees, and the rules its commands check."""

    municipality: str
    opened_by: str
    lead_agency: str
    person: dict[str, Any]
    arrived_on: date | None
    residence_status: str | None
    closed: bool
    erased: bool
    ledger: "ConsentLedger"
    referrals: dict[str, "Referral"]
    courses: dict[str, "Course"]
    agreements: dict[str, "Agreement"]
    qualifications: dict[str, "Qualification"]
    emergencies: dict[str, "EmergencyAccess"]
    involved: set[str]
    # Controllers that erased their part: the retention it is kept under, or None.
    erased_parts: dict[str, dict[str, str] | None]
    merged_into: str | None  # the case this one was merged into (ADR 0061)
    # The person's path (ADR 0065), as far as a rule needs it: by qualification, the day
    # its compensation measure was passed (None while it runs); the day the residence
    # obligation in force binds from; the day the cooperation plan in force was agreed.
    compensation_measures: dict[str, date | None]
    residence_obligation: date | None
    cooperation_plan: date | None

    def check_may_record(self, event_class: type[Declared]) -> None:
        if self.erased:
            raise CaseIsErased
        if self.closed and not event_class.declared.on_closed_case:
            raise CaseIsClosed

    def check_part_not_erased(self, by: Actor) -> None:
        if by.controller in self.erased_parts:
            raise PartIsErased(by.controller)

    def check_may_erase(self, controller: str, whole: bool) -> None:
        if controller in self.erased_parts or (whole and self.erased):
            raise CaseIsErased

    def check_is_lead(self, by: Actor) -> None:
        if by.agency != self.lead_agency:
            msg = f"only the lead agency '{self.lead_agency}' may do this"
            raise NotPermitted(msg)

    def check_not_merged(self, case_id: str) -> None:
        if self.merged_into is not None:
            raise WrongState("case", case_id, f"merged into {self.merged_into}", "not merged")

    def check_may_merge_into(self, case_id: str, survivor: Survivor) -> None:
        if survivor.case_id == case_id:
            raise InvalidEvent("a case cannot be merged into itself")
        if not survivor.readable:
            msg = (f"no case '{survivor.case_id}' whose person you may read: the person's"
                   " consent must let you read the case you merge into")  # fmt: skip
            raise NotPermitted(msg)
        if survivor.merged:
            msg = f"case '{survivor.case_id}' was merged into another: merge into that one"
            raise InvalidEvent(msg)

    def check_is_closed(self, case_id: str) -> None:
        if not self.closed:
            raise WrongState("case", case_id, "open", "closed")

    def check_changes_something(self, given: Mapping[str, object], left_out: object) -> None:
        """A change names at least one value; `left_out` is what one not given reads as."""
        if all(value is left_out for value in given.values()):
            msg = f"give at least one of {', '.join(given)}"
            raise InvalidEvent(msg)

    def check_not_to_self(self, by: Actor, to_agency: str) -> None:
        if to_agency == by.agency:
            msg = "an agency cannot refer or transfer a case to itself"
            raise InvalidEvent(msg)

    def check_flow_founded(self, by: Actor, flow: "Flow", at: datetime, grounds: Grounds) -> None:
        missing = founding(flow, by.agency, self.ledger, grounds, at).missing
        if missing:
            raise ConsentRequired(flow.recipient, flow.purpose, missing)

    def check_agencies_known(
        self, agencies: Sequence[str], is_known_agency: "Callable[[str], bool]",
        named: str = "agencies",
    ) -> None:  # fmt: skip
        unknown = sorted({a for a in agencies if not is_known_agency(a)})
        if unknown:
            msg = f"unknown {named}: {', '.join(unknown)}"
            raise InvalidEvent(msg)

    def check_consent_is_valid(
        self,
        recipients: Sequence[str],
        categories: Sequence[str],
        evidence: Mapping[str, object],
        given_on: date,
        valid_until: date | None,
    ) -> None:
        if not recipients or not categories:
            msg = "a consent names at least one recipient and one category"
            raise InvalidEvent(msg)
        if SPECIAL_CATEGORIES & {Category(c) for c in categories} and (
            evidence.get("method") != EvidenceMethod.WRITTEN
        ):
            msg = "consent to health data (Art. 9 GDPR) must be given in writing"
            raise InvalidEvent(msg)
        if valid_until is not None and valid_until < given_on:
            msg = "valid_until lies before given_on"
            raise InvalidEvent(msg)

    def check_may_record_consent(
        self, by: Actor, obtained_by: str, recipients: Sequence[str]
    ) -> None:
        if by.agency in recipients:
            raise ConsentOwnAccess(by.agency)
        if by.agency not in (obtained_by, self.lead_agency):
            raise ConsentNotObtained(by.agency, obtained_by, self.lead_agency)

    def check_given_by(
        self, representative: Mapping[str, Any] | None, given_on: date, consent_age: int
    ) -> None:
        """A minor consents through parents or a guardian; an adult through a legal carer
        at most. Without a date of birth on the case, the age cannot be checked."""
        age = self.age_on(given_on)
        if age is None:
            return
        given_by = Representation(representative["representation"]) if representative else None
        if age < consent_age and given_by not in FOR_MINORS:
            msg = (
                f"the person was {age} on {given_on.isoformat()}, under {consent_age}: a "
                "parent or guardian gives the consent (legal_representative)"
            )
            raise InvalidEvent(msg)
        if age >= consent_age and given_by in FOR_MINORS:
            msg = f"a {given_by} consents only for a person under {consent_age}"
            raise InvalidEvent(msg)

    def age_on(self, day: date) -> int | None:
        born = (self.person or {}).get("date_of_birth")
        if not born:
            return None
        born = born if isinstance(born, date) else date.fromisoformat(str(born))
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def check_no_emergency_open(self, by: Actor, at: datetime) -> None:
        for access in self.emergencies.values():
            if access.agency == by.agency and access.active(at):
                msg = (
                    f"'{by.agency}' holds emergency access '{access.access_id}' until "
                    f"{access.closes_at.isoformat()}"
                )
                raise InvalidEvent(msg)

    def check_emergency_ends(self, by: Actor, access_id: str, at: datetime) -> None:
        access = self.emergencies.get(access_id)
        if access is None:
            raise UnknownReference("emergency access", access_id)
        if access.agency != by.agency:
            msg = f"only '{access.agency}', which opened it, may end emergency access"
            raise NotPermitted(msg)
        if not access.active(at):
            raise WrongState("emergency access", access_id, "over", "open")

    def check_consent_withdrawable(self, consent_id: str, at: datetime) -> None:
        consent = self.ledger.get(consent_id)
        if consent is None:
            raise UnknownReference("consent", consent_id)
        status = consent.status(at)
        if status not in (ConsentStatus.ACTIVE, ConsentStatus.PENDING):
            raise WrongState("consent", consent_id, status, "active")

    def check_addressee_may_move(
        self, by: Actor, referral_id: str, expected: ReferralStatus
    ) -> None:
        referral = self.referrals.get(referral_id)
        if referral is None:
            raise UnknownReference("referral", referral_id)
        if referral.to_agency != by.agency:
            msg = f"only the addressed agency '{referral.to_agency}' may answer this referral"
            raise NotPermitted(msg)
        if referral.status != expected:
            raise WrongState("referral", referral_id, referral.status, expected)

    def check_course_active(self, course_id: str) -> None:
        course = self.courses.get(course_id)
        if course is None:
            raise UnknownReference("course", course_id)
        if not course.is_active:
            raise WrongState("course", course_id, "completed", "assigned")

    def check_not_before(self, later: date | None, earlier: date, what: str) -> None:
        if later is not None and later < earlier:
            raise InvalidEvent(f"{what} cannot be before {earlier.isoformat()}")

    def check_agreement_running(self, agreement_id: str) -> None:
        agreement = self.agreements.get(agreement_id)
        if agreement is None:
            raise UnknownReference("agreement", agreement_id)
        if not agreement.is_running:
            raise WrongState("agreement", agreement_id, f"ended ({agreement.ended})", "running")

    def check_milestone_open(self, agreement_id: str, milestone_id: str) -> None:
        self.check_agreement_running(agreement_id)
        milestone = self.agreements[agreement_id].milestones.get(milestone_id)
        if milestone is None:
            raise UnknownReference("milestone", milestone_id)
        if not milestone.is_open:
            state = "cancelled" if milestone.cancelled_on else "met"
            raise WrongState("milestone", milestone_id, state, "open")

    def check_qualification_recorded(self, qualification_id: str) -> None:
        if qualification_id not in self.qualifications:
            raise UnknownReference("qualification", qualification_id)

    def check_compensation_may_start(self, qualification_id: str) -> None:
        """After a decision asking for a compensation measure; another measure may take
        the place of one that runs (a knowledge test instead of a course)."""
        self.check_qualification_recorded(qualification_id)
        decided = self.qualifications[qualification_id].recognition
        if decided != RecognitionOutcome.COMPENSATION_REQUIRED:
            state = f"decided {decided}" if decided else "not decided"
            expected = "decided compensation_required"
            raise WrongState("qualification", qualification_id, state, expected)
        if self.compensation_measures.get(qualification_id) is not None:
            state, expected = "compensated (its measure passed)", "awaiting its measure"
            raise WrongState("qualification", qualification_id, state, expected)

    def check_compensation_running(self, qualification_id: str) -> None:
        self.check_qualification_recorded(qualification_id)
        expected = "in a compensation measure"
        if qualification_id not in self.compensation_measures:
            raise WrongState("qualification", qualification_id, "not in one", expected)
        if self.compensation_measures[qualification_id] is not None:
            state = "compensated (its measure passed)"
            raise WrongState("qualification", qualification_id, state, expected)

    def check_residence_obligation_in_force(self, lifted_on: date) -> None:
        if self.residence_obligation is None:
            raise InvalidEvent("no residence obligation is in force on this case")
        self.check_not_before(lifted_on, self.residence_obligation, "the lifting")

    def check_cooperation_plan_agreed(self, reviewed_on: date) -> None:
        if self.cooperation_plan is None:
            raise InvalidEvent("no cooperation plan was agreed on this case")
        self.check_not_before(reviewed_on, self.cooperation_plan, "the review")

    def used_ids(self) -> set[str]:
        milestones = {m for a in self.agreements.values() for m in a.milestones}
        return (
            set(self.ledger.consents) | set(self.referrals) | set(self.courses)
            | set(self.agreements) | set(self.qualifications) | set(self.emergencies)
            | milestones
        )  # fmt: skip

    def new_id(self, kind: str, given: str | None, taken: set[str] | None = None) -> str:
        """The client's slug if free, else the next free `kind-N` in this case."""
        used = self.used_ids() | (taken or set())
        if given is not None:
            if not SLUG.fullmatch(given):
                msg = f"'{given}' is not a slug ([a-z0-9][a-z0-9-]{{1,62}})"
                raise InvalidEvent(msg)
            if given in used:
                raise DuplicateId(given)
            return given
        n = 1
        while f"{kind}-{n}" in used:
            n += 1
        return f"{kind}-{n}"

    def with_milestone_ids(
        self, milestones: Sequence[Mapping[str, Any]], taken: set[str]
    ) -> list[dict[str, Any]]:
        """Client-given ids first, so a generated id never takes one a sibling asked for."""
        if not milestones:
            msg = "an agreement has at least one milestone"
            raise InvalidEvent(msg)
        ids: list[str | None] = [m.get("milestone_id") for m in milestones]
        taken = set(taken)
        for i, given in enumerate(ids):
            if given is not None:
                ids[i] = self.new_id("milestone", given, taken)
                taken.add(given)
        for i, given in enumerate(ids):
            if given is None:
                ids[i] = self.new_id("milestone", None, taken)
                taken.add(str(ids[i]))
        return [{**m, "milestone_id": i} for m, i in zip(milestones, ids, strict=True)]
