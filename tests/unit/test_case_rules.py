"""The Case aggregate: every event type of the contract, accepted and refused.

Each command either records exactly one event (version + 1) or raises a domain
error and records nothing. Times are fixed instants; no clock is consulted.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from consent import Category, ConsentStatus, Purpose
from coordination.domain.case import Case, CaseOpened, ConsentGranted, ConsentWithdrawn
from coordination.domain.errors import (
    CaseIsClosed,
    ConsentNotObtained,
    ConsentOwnAccess,
    ConsentRequired,
    DomainError,
    DuplicateId,
    InvalidEvent,
    NotPermitted,
    UnknownReference,
    WrongState,
)
from coordination.domain.identity import Actor
from coordination.domain.parts import ReferralStatus
from coordination.domain.policy import Policy
from tests.people import PERSON

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
GIVEN_ON = date(2026, 9, 1)

LEAD = Actor("jobcenter-leipzig", "jc-caseworker")
MBE = Actor("mbe-leipzig", "mbe-caseworker")
VHS = Actor("vhs-leipzig", "vhs-caseworker")
ABH = Actor("abh-leipzig", "abh-caseworker")


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def open_case() -> Case:
    return Case.open(
        LEAD,
        T0,
        municipality="leipzig",
        person=dict(PERSON),
        arrived_on=date(2026, 8, 14),
        residence_status="aufenthaltserlaubnis",
    )


def grant(
    case: Case,
    recipient: Actor,
    purposes: list[str],
    categories: list[str],
    *,
    at: datetime = T0,
    by: Actor = LEAD,
    **kwargs: Any,
) -> str:
    return case.grant_consent(
        by,
        at,
        recipients=[recipient.agency],
        purposes=purposes,
        categories=categories,
        given_on=GIVEN_ON,
        evidence={"method": "written"},
        **kwargs,
    )


def send(case: Case, *, to: Actor = MBE, at: datetime | None = None, **kwargs: Any) -> str:
    return case.send_referral(
        LEAD,
        at or minutes(10),
        to_agency=to.agency,
        purpose=kwargs.pop("purpose", "counselling"),
        categories=kwargs.pop("categories", ["identity", "contact"]),
        **kwargs,
    )


def conclude(case: Case, *owners: Actor, **kwargs: Any) -> str:
    return case.conclude_agreement(
        LEAD,
        minutes(20),
        signed_on=date(2026, 9, 1),
        milestones=[
            {"title": f"Step {i}", "due_on": date(2026, 12, i + 1), "responsible_agency": o.agency}
            for i, o in enumerate(owners or (LEAD,))
        ],
        **kwargs,
    )


def last_event(case: Case) -> Any:
    return case.pending_events[-1]


@contextmanager
def refused(case: Case, error: type[DomainError]) -> Iterator[pytest.ExceptionInfo[Any]]:
    """The command raises `error` and records nothing."""
    version, pending = case.version, len(case.pending_events)
    with pytest.raises(error) as info:
        yield info
    assert case.version == version
    assert len(case.pending_events) == pending


@pytest.fixture
def case() -> Case:
    return open_case()


@pytest.fixture
def referred(case: Case) -> Case:
    """MBE holds a counselling consent and a referral 'referral-1' was sent to it."""
    grant(case, MBE, ["counselling"], ["identity", "contact"])
    send(case)
    return case


@pytest.fixture
def with_agreement(case: Case) -> Case:
    """An agreement 'agreement-1' with milestones 'milestone-1' and 'milestone-2'."""
    conclude(case, LEAD, LEAD)
    return case


# Opening


def test_opening_a_case_makes_the_caller_lead_at_version_1(case: Case) -> None:
    assert case.version == 1
    assert case.lead_agency == LEAD.agency
    assert case.opened_by == LEAD.agency
    assert case.involved == {LEAD.agency}
    assert not case.closed
    assert case.municipality == "leipzig"
    assert case.created_on == T0
    assert type(last_event(case)) is CaseOpened


# ConsentGranted


def test_consent_granted_is_recorded_in_the_ledger(case: Case) -> None:
    consent_id = grant(case, MBE, ["counselling"], ["identity", "contact"])

    assert consent_id == "consent-1"
    assert case.version == 2
    consent = case.ledger.get(consent_id)
    assert consent is not None
    assert consent.recipients == {MBE.agency}
    assert consent.purposes == {Purpose.COUNSELLING}
    assert consent.categories == {Category.IDENTITY, Category.CONTACT}
    assert consent.status(T0) is ConsentStatus.ACTIVE
    event = last_event(case)
    assert type(event) is ConsentGranted
    assert (event.recorded_by, event.token_label) == (LEAD.agency, LEAD.token_label)


def test_consent_granted_relates_its_recipients_to_the_case(case: Case) -> None:
    case.grant_consent(
        LEAD, T0, recipients=[MBE.agency, VHS.agency], purposes=["counselling"],
        categories=["identity"], given_on=GIVEN_ON, evidence={"method": "oral_witnessed"},
    )  # fmt: skip

    assert case.involved == {LEAD.agency, MBE.agency, VHS.agency}


def test_consent_valid_until_expires_at_the_end_of_that_day_in_berlin(case: Case) -> None:
    consent_id = grant(case, MBE, ["counselling"], ["identity"], valid_until=date(2027, 6, 30))

    consent = case.ledger.get(consent_id)
    assert consent is not None
    assert consent.expires_at == datetime(2027, 6, 30, 22, 0, tzinfo=UTC)


def test_consent_for_unknown_recipient_agencies_is_refused(case: Case) -> None:
    with refused(case, InvalidEvent) as info:
        case.grant_consent(
            LEAD, T0, recipients=[MBE.agency, "ghost-agency"], purposes=["counselling"],
            categories=["identity"], given_on=GIVEN_ON, evidence={"method": "written"},
            is_known_agency=lambda agency: agency != "ghost-agency",
        )  # fmt: skip

    assert "ghost-agency" in str(info.value)
    assert MBE.agency not in case.involved


@pytest.mark.parametrize("method", ["electronic", "oral_witnessed", None])
def test_consent_to_health_data_not_given_in_writing_is_refused(
    case: Case, method: str | None
) -> None:
    with refused(case, InvalidEvent):
        case.grant_consent(
            LEAD, T0, recipients=[MBE.agency], purposes=["counselling"],
            categories=["identity", "health"], given_on=GIVEN_ON, evidence={"method": method},
        )  # fmt: skip


def test_consent_to_health_data_given_in_writing_is_accepted(case: Case) -> None:
    consent_id = case.grant_consent(
        LEAD, T0, recipients=[MBE.agency], purposes=["counselling"],
        categories=["health"], given_on=GIVEN_ON,
        evidence={"method": "written", "document_ref": "scan-17", "language": "ar"},
    )  # fmt: skip

    assert case.version == 2
    assert case.ledger.get(consent_id) is not None


def test_consent_to_ordinary_data_may_be_given_electronically(case: Case) -> None:
    case.grant_consent(
        LEAD, T0, recipients=[MBE.agency], purposes=["counselling"],
        categories=["identity"], given_on=GIVEN_ON, evidence={"method": "electronic"},
    )  # fmt: skip

    assert case.version == 2


@pytest.mark.parametrize(("recipients", "categories"), [([], ["identity"]), (["mbe-leipzig"], [])])
def test_consent_without_recipient_or_category_is_refused(
    case: Case, recipients: list[str], categories: list[str]
) -> None:
    with refused(case, InvalidEvent):
        case.grant_consent(
            LEAD, T0, recipients=recipients, purposes=["counselling"], categories=categories,
            given_on=GIVEN_ON, evidence={"method": "written"},
        )  # fmt: skip


def test_consent_valid_until_before_given_on_is_refused(case: Case) -> None:
    with refused(case, InvalidEvent):
        grant(case, MBE, ["counselling"], ["identity"], valid_until=date(2026, 8, 31))


# ConsentWithdrawn


def test_consent_naming_its_recorder_as_recipient_is_refused(case: Case) -> None:
    with refused(case, ConsentOwnAccess):
        grant(case, MBE, ["counselling"], ["identity", "family"], by=MBE)
    with refused(case, ConsentOwnAccess):
        grant(case, LEAD, ["counselling"], ["identity"])  # the lead, too


def test_consent_is_recorded_by_the_agency_that_obtained_it_or_the_lead(case: Case) -> None:
    with refused(case, ConsentNotObtained):
        grant(case, VHS, ["language_course"], ["identity"], by=MBE, obtained_by=ABH.agency)

    grant(case, VHS, ["language_course"], ["identity"], by=LEAD, obtained_by=ABH.agency)
    grant(case, VHS, ["language_course"], ["contact"], by=MBE)

    obtained = [e.obtained_by for e in case.collect_events() if isinstance(e, ConsentGranted)]
    assert obtained == [ABH.agency, MBE.agency]


def test_consent_naming_disclosers_covers_only_their_disclosures(case: Case) -> None:
    grant(case, MBE, ["counselling"], ["identity"], by=ABH, disclosers=[ABH.agency])

    with refused(case, ConsentRequired):
        send(case, to=MBE, categories=["identity"])  # sent by the lead, not a discloser
    case.send_referral(ABH, minutes(10), to_agency=MBE.agency, purpose="counselling",
                       categories=["identity"])  # fmt: skip


PARENT = {"name": "Samir Haddad", "representation": "parent"}


@pytest.mark.parametrize(
    ("born", "representative", "accepted"),
    [
        (date(2010, 9, 2), None, False),  # 15 on 2026-09-01: one day short of 16
        (date(2010, 9, 2), PARENT, True),
        (date(2010, 9, 1), None, True),  # 16 that day
        (date(2010, 9, 1), PARENT, False),
        (date(1990, 1, 1), {"name": "B. Braun", "representation": "legal_carer"}, True),
    ],
)
def test_consent_age_decides_who_gives_the_consent(
    born: date, representative: dict[str, str] | None, accepted: bool
) -> None:
    case = open_case()
    case.person["date_of_birth"] = born
    given_by = {"legal_representative": representative} if representative else {}

    if accepted:
        grant(case, MBE, ["counselling"], ["identity"], **given_by)
    else:
        with refused(case, InvalidEvent):
            grant(case, MBE, ["counselling"], ["identity"], **given_by)


def test_consent_age_is_the_applications_to_set(case: Case) -> None:
    case.person["date_of_birth"] = date(2011, 3, 2)  # 15 on 2026-09-01

    grant(case, MBE, ["counselling"], ["identity"], policy=Policy(consent_age=15))


def test_consent_withdrawn_takes_effect_at_the_recording_instant(case: Case) -> None:
    consent_id = grant(case, MBE, ["counselling"], ["identity"])

    case.withdraw_consent(
        LEAD, minutes(30), consent_id=consent_id, withdrawn_on=date(2026, 9, 1), reason="asked"
    )

    assert case.version == 3
    assert type(last_event(case)) is ConsentWithdrawn
    consent = case.ledger.get(consent_id)
    assert consent is not None
    assert consent.withdrawn_at == minutes(30)
    assert consent.status(minutes(29)) is ConsentStatus.ACTIVE
    assert consent.status(minutes(30)) is ConsentStatus.WITHDRAWN


def test_withdrawing_an_unknown_consent_is_refused(case: Case) -> None:
    with refused(case, UnknownReference):
        case.withdraw_consent(LEAD, minutes(30), consent_id="consent-9")


def test_withdrawing_a_consent_twice_is_refused(case: Case) -> None:
    consent_id = grant(case, MBE, ["counselling"], ["identity"])
    case.withdraw_consent(LEAD, minutes(30), consent_id=consent_id)

    with refused(case, WrongState):
        case.withdraw_consent(LEAD, minutes(31), consent_id=consent_id)


def test_withdrawing_an_expired_consent_is_refused(case: Case) -> None:
    consent_id = grant(case, MBE, ["counselling"], ["identity"], valid_until=date(2026, 9, 30))

    with refused(case, WrongState):
        case.withdraw_consent(LEAD, datetime(2026, 10, 5, tzinfo=UTC), consent_id=consent_id)


def test_withdrawal_refuses_every_later_disclosure(case: Case) -> None:
    # 1. A consent lets the lead refer the migrant to MBE.
    consent_id = grant(case, MBE, ["counselling"], ["identity", "contact"])
    send(case, at=minutes(10))
    # 2. The migrant withdraws it.
    case.withdraw_consent(LEAD, minutes(20), consent_id=consent_id)
    # 3. The next referral to MBE is refused for lack of consent.
    with refused(case, ConsentRequired) as info:
        send(case, at=minutes(21))

    assert info.value.recipient == MBE.agency
    assert info.value.categories == ["contact", "identity"]


def test_withdrawing_one_consent_leaves_another_covering_consent_in_force(case: Case) -> None:
    first = grant(case, MBE, ["counselling"], ["identity", "contact"])
    grant(case, MBE, ["counselling"], ["identity", "contact"])
    case.withdraw_consent(LEAD, minutes(5), consent_id=first)

    send(case, at=minutes(10))

    assert case.referrals["referral-1"].status is ReferralStatus.SENT


# ReferralSent


def test_referral_sent_under_a_covering_consent_is_recorded(case: Case) -> None:
    grant(case, MBE, ["counselling"], ["identity", "contact"])

    referral_id = send(case, note="speaks Arabic")

    assert referral_id == "referral-1"
    assert case.version == 3
    referral = case.referrals[referral_id]
    assert (referral.from_agency, referral.to_agency) == (LEAD.agency, MBE.agency)
    assert referral.purpose == "counselling"
    assert referral.categories == ["identity", "contact"]
    assert referral.status is ReferralStatus.SENT
    assert last_event(case).note == "speaks Arabic"


def test_referral_without_any_consent_is_refused_naming_what_is_missing(case: Case) -> None:
    with refused(case, ConsentRequired) as info:
        send(case, to=ABH, purpose="residence_procedure", categories=["residence", "identity"])

    assert info.value.recipient == ABH.agency
    assert info.value.purpose == "residence_procedure"
    assert info.value.categories == ["identity", "residence"]
    assert case.referrals == {}


def test_referral_needs_consent_for_its_purpose(case: Case) -> None:
    grant(case, MBE, ["job_placement"], ["identity", "contact"])

    with refused(case, ConsentRequired) as info:
        send(case, purpose="counselling")

    assert info.value.purpose == "counselling"


def test_referral_needs_consent_for_every_category(case: Case) -> None:
    grant(case, MBE, ["counselling"], ["identity", "contact"])

    with refused(case, ConsentRequired) as info:
        send(case, categories=["identity", "contact", "family"])

    assert info.value.categories == ["family"]


def test_referral_needs_consent_naming_the_addressee(case: Case) -> None:
    grant(case, VHS, ["counselling"], ["identity", "contact"])

    with refused(case, ConsentRequired) as info:
        send(case, to=MBE)

    assert info.value.recipient == MBE.agency


def test_referral_may_rest_on_two_consents_for_different_categories_of_its_purpose(
    case: Case,
) -> None:
    grant(case, MBE, ["counselling"], ["identity"])
    grant(case, MBE, ["counselling"], ["contact"])

    send(case, categories=["identity", "contact"])

    assert "referral-1" in case.referrals


def test_referral_under_a_consent_not_yet_in_force_is_refused(case: Case) -> None:
    case.grant_consent(
        LEAD, T0, recipients=[MBE.agency], purposes=["counselling"],
        categories=["identity", "contact"], given_on=date(2026, 9, 2),
        evidence={"method": "written"},
    )  # fmt: skip

    with refused(case, ConsentRequired):
        send(case, at=minutes(10))


def test_referral_under_an_expired_consent_is_refused(case: Case) -> None:
    grant(case, MBE, ["counselling"], ["identity", "contact"], valid_until=date(2026, 9, 1))

    with refused(case, ConsentRequired):
        send(case, at=datetime(2026, 9, 1, 22, 0, tzinfo=UTC))  # midnight in Berlin


def test_referral_to_oneself_is_refused(case: Case) -> None:
    grant(case, LEAD, ["counselling"], ["identity"], by=MBE)

    with refused(case, InvalidEvent):
        send(case, to=LEAD, categories=["identity"])


# ReferralAccepted


def test_referral_accepted_by_the_addressee_while_sent(referred: Case) -> None:
    referred.accept_referral(MBE, minutes(30), referral_id="referral-1", reason="capacity")

    assert referred.referrals["referral-1"].status is ReferralStatus.ACCEPTED
    assert referred.version == 4
    assert last_event(referred).recorded_by == MBE.agency


@pytest.mark.parametrize("actor", [LEAD, VHS])
def test_referral_accepted_by_anyone_but_the_addressee_is_refused(
    referred: Case, actor: Actor
) -> None:
    with refused(referred, NotPermitted):
        referred.accept_referral(actor, minutes(30), referral_id="referral-1")


def test_referral_accepted_twice_is_refused(referred: Case) -> None:
    referred.accept_referral(MBE, minutes(30), referral_id="referral-1")

    with refused(referred, WrongState):
        referred.accept_referral(MBE, minutes(31), referral_id="referral-1")


def test_referral_accepted_after_it_was_declined_is_refused(referred: Case) -> None:
    referred.decline_referral(MBE, minutes(30), referral_id="referral-1")

    with refused(referred, WrongState):
        referred.accept_referral(MBE, minutes(31), referral_id="referral-1")


def test_accepting_an_unknown_referral_is_refused(case: Case) -> None:
    with refused(case, UnknownReference):
        case.accept_referral(MBE, minutes(30), referral_id="referral-1")


# ReferralDeclined


def test_referral_declined_by_the_addressee_while_sent(referred: Case) -> None:
    referred.decline_referral(MBE, minutes(30), referral_id="referral-1", reason="full")

    referral = referred.referrals["referral-1"]
    assert referral.status is ReferralStatus.DECLINED
    assert not referral.is_open
    assert referred.version == 4


def test_referral_declined_by_the_sender_is_refused(referred: Case) -> None:
    with refused(referred, NotPermitted):
        referred.decline_referral(LEAD, minutes(30), referral_id="referral-1")


def test_referral_declined_after_it_was_accepted_is_refused(referred: Case) -> None:
    referred.accept_referral(MBE, minutes(30), referral_id="referral-1")

    with refused(referred, WrongState):
        referred.decline_referral(MBE, minutes(31), referral_id="referral-1")


def test_declining_an_unknown_referral_is_refused(case: Case) -> None:
    with refused(case, UnknownReference):
        case.decline_referral(MBE, minutes(30), referral_id="referral-7")


# ReferralCompleted


def test_referral_completed_by_the_addressee_once_accepted(referred: Case) -> None:
    referred.accept_referral(MBE, minutes(30), referral_id="referral-1")

    referred.complete_referral(MBE, minutes(40), referral_id="referral-1", outcome="counselled")

    referral = referred.referrals["referral-1"]
    assert referral.status is ReferralStatus.COMPLETED
    assert not referral.is_open
    assert referred.version == 5
    assert last_event(referred).outcome == "counselled"


def test_referral_completed_before_it_was_accepted_is_refused(referred: Case) -> None:
    with refused(referred, WrongState):
        referred.complete_referral(MBE, minutes(30), referral_id="referral-1", outcome="done")


def test_referral_completed_after_it_was_declined_is_refused(referred: Case) -> None:
    referred.decline_referral(MBE, minutes(30), referral_id="referral-1")

    with refused(referred, WrongState):
        referred.complete_referral(MBE, minutes(31), referral_id="referral-1", outcome="done")


def test_referral_completed_twice_is_refused(referred: Case) -> None:
    referred.accept_referral(MBE, minutes(30), referral_id="referral-1")
    referred.complete_referral(MBE, minutes(31), referral_id="referral-1", outcome="done")

    with refused(referred, WrongState):
        referred.complete_referral(MBE, minutes(32), referral_id="referral-1", outcome="again")


def test_referral_completed_by_the_sender_is_refused(referred: Case) -> None:
    referred.accept_referral(MBE, minutes(30), referral_id="referral-1")

    with refused(referred, NotPermitted):
        referred.complete_referral(LEAD, minutes(31), referral_id="referral-1", outcome="done")


def test_completing_an_unknown_referral_is_refused(case: Case) -> None:
    with refused(case, UnknownReference):
        case.complete_referral(MBE, minutes(30), referral_id="referral-1", outcome="done")


# CourseAssigned


def test_course_the_caller_provides_itself_needs_no_consent(case: Case) -> None:
    course_id = case.assign_course(
        VHS, minutes(5), course_type="integration_course", provider=VHS.agency, target_level="B1"
    )

    assert course_id == "course-1"
    assert case.version == 2
    course = case.courses[course_id]
    assert (course.provider, course.recorded_by) == (VHS.agency, VHS.agency)
    assert course.target_level == "B1"
    assert course.is_active


def test_course_with_another_provider_under_consent_is_recorded(case: Case) -> None:
    grant(case, VHS, ["language_course"], ["identity", "contact"])

    course_id = case.assign_course(
        LEAD, minutes(5), course_type="integration_course", provider=VHS.agency,
        starts_on=date(2026, 10, 1),
    )  # fmt: skip

    course = case.courses[course_id]
    assert course.provider == VHS.agency
    assert course.recorded_by == LEAD.agency
    assert course.starts_on == date(2026, 10, 1)
    assert VHS.agency in case.involved
    assert case.version == 3


def test_course_with_another_provider_without_consent_is_refused(case: Case) -> None:
    with refused(case, ConsentRequired) as info:
        case.assign_course(LEAD, minutes(5), course_type="integration_course", provider=VHS.agency)

    assert info.value.recipient == VHS.agency
    assert info.value.purpose == "language_course"
    assert info.value.categories == ["contact", "identity"]
    assert case.courses == {}


def test_course_provider_consent_must_cover_contact_as_well_as_identity(case: Case) -> None:
    grant(case, VHS, ["language_course"], ["identity"])

    with refused(case, ConsentRequired) as info:
        case.assign_course(LEAD, minutes(5), course_type="literacy_course", provider=VHS.agency)

    assert info.value.categories == ["contact"]


def test_course_provider_consent_must_be_for_language_courses(case: Case) -> None:
    grant(case, VHS, ["counselling"], ["identity", "contact"])

    with refused(case, ConsentRequired):
        case.assign_course(LEAD, minutes(5), course_type="literacy_course", provider=VHS.agency)


# CourseCompleted


def test_course_completed_records_the_result(case: Case) -> None:
    course_id = case.assign_course(
        VHS, minutes(5), course_type="integration_course", provider=VHS.agency
    )

    case.complete_course(
        VHS, minutes(6), course_id=course_id, result="B1", completed_on=date(2027, 3, 1)
    )

    course = case.courses[course_id]
    assert (course.result, course.completed_on) == ("B1", date(2027, 3, 1))
    assert not course.is_active
    assert case.version == 3


def test_course_completed_twice_is_refused(case: Case) -> None:
    course_id = case.assign_course(
        VHS, minutes(5), course_type="integration_course", provider=VHS.agency
    )
    case.complete_course(
        VHS, minutes(6), course_id=course_id, result="B1", completed_on=date(2027, 3, 1)
    )

    with refused(case, WrongState):
        case.complete_course(
            VHS, minutes(7), course_id=course_id, result="B2", completed_on=date(2027, 3, 2)
        )

    assert case.courses[course_id].result == "B1"


def test_completing_a_course_never_assigned_is_refused(case: Case) -> None:
    with refused(case, UnknownReference):
        case.complete_course(
            VHS, minutes(6), course_id="course-1", result="A2", completed_on=date(2027, 3, 1)
        )


# AgreementConcluded


def test_agreement_concluded_with_milestones_the_caller_owns(case: Case) -> None:
    agreement_id = conclude(case, LEAD, LEAD)

    assert agreement_id == "agreement-1"
    assert case.version == 2
    agreement = case.agreements[agreement_id]
    assert agreement.recorded_by == LEAD.agency
    assert list(agreement.milestones) == ["milestone-1", "milestone-2"]
    assert all(m.is_open for m in agreement.milestones.values())
    recorded = last_event(case).milestones
    assert [m["milestone_id"] for m in recorded] == ["milestone-1", "milestone-2"]


def test_agreement_with_other_owners_under_consent_relates_them_to_the_case(case: Case) -> None:
    grant(case, MBE, ["case_management"], ["integration_plan"])
    grant(case, VHS, ["case_management"], ["integration_plan"])

    conclude(case, LEAD, MBE, VHS)

    owners = {m.responsible_agency for m in case.agreements["agreement-1"].milestones.values()}
    assert owners == {LEAD.agency, MBE.agency, VHS.agency}
    assert {MBE.agency, VHS.agency} <= case.involved


def test_agreement_with_an_owner_lacking_consent_is_refused(case: Case) -> None:
    grant(case, MBE, ["case_management"], ["integration_plan"])

    with refused(case, ConsentRequired) as info:
        conclude(case, MBE, VHS)

    assert info.value.recipient == VHS.agency
    assert info.value.purpose == "case_management"
    assert info.value.categories == ["integration_plan"]
    assert case.agreements == {}


def test_agreement_owner_consent_must_be_for_case_management(case: Case) -> None:
    grant(case, MBE, ["counselling"], ["integration_plan"])

    with refused(case, ConsentRequired):
        conclude(case, MBE)


def test_agreement_without_milestones_is_refused(case: Case) -> None:
    with refused(case, InvalidEvent):
        case.conclude_agreement(LEAD, minutes(20), signed_on=date(2026, 9, 1), milestones=[])


# MilestoneMet


def test_milestone_met_while_open(with_agreement: Case) -> None:
    with_agreement.meet_milestone(
        LEAD, minutes(30), agreement_id="agreement-1", milestone_id="milestone-1",
        met_on=date(2026, 11, 20), note="B1 certificate",
    )  # fmt: skip

    milestones = with_agreement.agreements["agreement-1"].milestones
    assert milestones["milestone-1"].met_on == date(2026, 11, 20)
    assert not milestones["milestone-1"].is_open
    assert milestones["milestone-2"].is_open
    assert with_agreement.version == 3


def test_milestone_met_twice_is_refused(with_agreement: Case) -> None:
    with_agreement.meet_milestone(
        LEAD, minutes(30), agreement_id="agreement-1", milestone_id="milestone-1",
        met_on=date(2026, 11, 20),
    )  # fmt: skip

    with refused(with_agreement, WrongState):
        with_agreement.meet_milestone(
            LEAD, minutes(31), agreement_id="agreement-1", milestone_id="milestone-1",
            met_on=date(2026, 11, 21),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("agreement_id", "milestone_id"),
    [("agreement-9", "milestone-1"), ("agreement-1", "milestone-9")],
)
def test_meeting_an_unknown_milestone_is_refused(
    with_agreement: Case, agreement_id: str, milestone_id: str
) -> None:
    with refused(with_agreement, UnknownReference):
        with_agreement.meet_milestone(
            LEAD, minutes(30), agreement_id=agreement_id, milestone_id=milestone_id,
            met_on=date(2026, 11, 20),
        )  # fmt: skip


# MilestoneRescheduled


def test_milestone_rescheduled_while_open(with_agreement: Case) -> None:
    with_agreement.reschedule_milestone(
        LEAD, minutes(30), agreement_id="agreement-1", milestone_id="milestone-2",
        due_on=date(2027, 2, 1), reason="course starts later",
    )  # fmt: skip

    milestone = with_agreement.agreements["agreement-1"].milestones["milestone-2"]
    assert milestone.due_on == date(2027, 2, 1)
    assert milestone.is_open
    assert with_agreement.version == 3


def test_milestone_rescheduled_after_it_was_met_is_refused(with_agreement: Case) -> None:
    with_agreement.meet_milestone(
        LEAD, minutes(30), agreement_id="agreement-1", milestone_id="milestone-1",
        met_on=date(2026, 11, 20),
    )  # fmt: skip

    with refused(with_agreement, WrongState):
        with_agreement.reschedule_milestone(
            LEAD, minutes(31), agreement_id="agreement-1", milestone_id="milestone-1",
            due_on=date(2027, 2, 1), reason="too late",
        )  # fmt: skip


def test_rescheduling_an_unknown_milestone_is_refused(with_agreement: Case) -> None:
    with refused(with_agreement, UnknownReference):
        with_agreement.reschedule_milestone(
            LEAD, minutes(30), agreement_id="agreement-1", milestone_id="milestone-3",
            due_on=date(2027, 2, 1), reason="?",
        )  # fmt: skip


# QualificationRecorded


def test_qualification_recorded(case: Case) -> None:
    qualification_id = case.record_qualification(
        ABH, minutes(5), title="Bachelor of Civil Engineering", country="SY",
        level="bachelor", obtained_on=date(2018, 7, 1),
    )  # fmt: skip

    assert qualification_id == "qualification-1"
    assert case.version == 2
    qualification = case.qualifications[qualification_id]
    assert (qualification.title, qualification.country) == ("Bachelor of Civil Engineering", "SY")
    assert qualification.recorded_by == ABH.agency
    assert qualification.recognition is None


def test_recording_an_event_relates_the_recording_agency_to_the_case(case: Case) -> None:
    case.record_qualification(ABH, minutes(5), title="Abitur", country="SY")

    assert ABH.agency in case.involved


# RecognitionDecided


def test_recognition_decided_for_a_recorded_qualification(case: Case) -> None:
    qualification_id = case.record_qualification(LEAD, minutes(5), title="BSc", country="SY")

    case.decide_recognition(
        LEAD, minutes(6), qualification_id=qualification_id, outcome="partial",
        decided_on=date(2027, 1, 15),
    )  # fmt: skip

    qualification = case.qualifications[qualification_id]
    assert (qualification.recognition, qualification.decided_on) == (
        "partial",
        date(2027, 1, 15),
    )
    assert case.version == 3


def test_recognition_for_an_unrecorded_qualification_is_refused(case: Case) -> None:
    with refused(case, UnknownReference):
        case.decide_recognition(
            LEAD, minutes(6), qualification_id="qualification-1", outcome="full",
            decided_on=date(2027, 1, 15),
        )  # fmt: skip


def test_recognition_for_an_id_of_another_kind_is_refused(referred: Case) -> None:
    with refused(referred, UnknownReference):
        referred.decide_recognition(
            LEAD, minutes(6), qualification_id="referral-1", outcome="full",
            decided_on=date(2027, 1, 15),
        )  # fmt: skip


# CaseTransferred


def test_case_transferred_by_the_lead_makes_the_target_lead(case: Case) -> None:
    grant(case, MBE, ["case_management"], ["identity"])

    case.transfer(LEAD, minutes(5), to_agency=MBE.agency, reason="moved to the MBE district")

    assert case.lead_agency == MBE.agency
    assert MBE.agency in case.involved
    assert case.version == 3
    event = last_event(case)
    assert (event.from_agency, event.to_agency) == (LEAD.agency, MBE.agency)


def test_case_transferred_by_anyone_but_the_lead_is_refused(case: Case) -> None:
    grant(case, VHS, ["case_management"], ["identity"])

    with refused(case, NotPermitted):
        case.transfer(MBE, minutes(5), to_agency=VHS.agency)

    assert case.lead_agency == LEAD.agency


def test_case_transferred_without_consent_for_the_new_lead_is_refused(case: Case) -> None:
    grant(case, MBE, ["counselling"], ["identity"])  # wrong purpose

    with refused(case, ConsentRequired) as info:
        case.transfer(LEAD, minutes(5), to_agency=MBE.agency)

    assert info.value.recipient == MBE.agency
    assert info.value.purpose == "case_management"
    assert info.value.categories == ["identity"]
    assert case.lead_agency == LEAD.agency


def test_case_transferred_to_the_lead_itself_is_refused(case: Case) -> None:
    grant(case, LEAD, ["case_management"], ["identity"], by=MBE)

    with refused(case, InvalidEvent):
        case.transfer(LEAD, minutes(5), to_agency=LEAD.agency)


def test_after_a_transfer_only_the_new_lead_may_administer_the_case(case: Case) -> None:
    grant(case, MBE, ["case_management"], ["identity"])
    case.transfer(LEAD, minutes(5), to_agency=MBE.agency)

    with refused(case, NotPermitted):
        case.close(LEAD, minutes(6), reason="done")
    case.close(MBE, minutes(7), reason="done")

    assert case.closed


# CaseClosed


def test_case_closed_by_the_lead(case: Case) -> None:
    case.close(LEAD, minutes(5), reason="integration completed")

    assert case.closed
    assert case.version == 2
    assert last_event(case).reason == "integration completed"


def test_case_closed_by_anyone_but_the_lead_is_refused(case: Case) -> None:
    with refused(case, NotPermitted):
        case.close(MBE, minutes(5), reason="not mine")

    assert not case.closed


@pytest.fixture
def busy_case() -> Case:
    """A case with one of everything, each part named by the client."""
    case = open_case()
    grant(
        case, MBE, ["counselling", "case_management"],
        ["identity", "contact", "integration_plan"], consent_id="mbe-consent",
    )  # fmt: skip
    grant(case, VHS, ["language_course"], ["identity", "contact"], consent_id="vhs-consent")
    send(case, at=minutes(1), referral_id="sent-referral")
    send(case, at=minutes(2), referral_id="accepted-referral")
    case.accept_referral(MBE, minutes(3), referral_id="accepted-referral")
    case.assign_course(
        LEAD, minutes(4), course_type="integration_course", provider=VHS.agency,
        course_id="the-course",
    )  # fmt: skip
    conclude(case, MBE, agreement_id="the-agreement")
    case.record_qualification(
        LEAD, minutes(6), title="BSc", country="SY", qualification_id="the-qualification"
    )
    return case


CLOSED_CASE_COMMANDS: dict[str, Callable[[Case], object]] = {
    "ConsentGranted": lambda c: grant(c, ABH, ["residence_procedure"], ["residence"]),
    "ReferralSent": lambda c: send(c, at=minutes(50)),
    "ReferralAccepted": lambda c: c.accept_referral(MBE, minutes(50), referral_id="sent-referral"),
    "ReferralDeclined": lambda c: c.decline_referral(MBE, minutes(50), referral_id="sent-referral"),
    "ReferralCompleted": lambda c: c.complete_referral(
        MBE, minutes(50), referral_id="accepted-referral", outcome="done"
    ),
    "CourseAssigned": lambda c: c.assign_course(
        LEAD, minutes(50), course_type="orientation_course", provider=VHS.agency
    ),
    "CourseCompleted": lambda c: c.complete_course(
        VHS, minutes(50), course_id="the-course", result="B1", completed_on=date(2027, 3, 1)
    ),
    "AgreementConcluded": lambda c: conclude(c, MBE),
    "MilestoneMet": lambda c: c.meet_milestone(
        MBE,
        minutes(50),
        agreement_id="the-agreement",
        milestone_id="milestone-1",
        met_on=date(2026, 11, 1),
    ),
    "MilestoneRescheduled": lambda c: c.reschedule_milestone(
        MBE,
        minutes(50),
        agreement_id="the-agreement",
        milestone_id="milestone-1",
        due_on=date(2027, 1, 1),
        reason="later",
    ),
    "QualificationRecorded": lambda c: c.record_qualification(
        LEAD, minutes(50), title="MSc", country="SY"
    ),
    "RecognitionDecided": lambda c: c.decide_recognition(
        LEAD,
        minutes(50),
        qualification_id="the-qualification",
        outcome="full",
        decided_on=date(2027, 1, 1),
    ),
    "CaseTransferred": lambda c: c.transfer(LEAD, minutes(50), to_agency=MBE.agency),
    "CaseClosed": lambda c: c.close(LEAD, minutes(50), reason="again"),
}


@pytest.mark.parametrize("command", CLOSED_CASE_COMMANDS.values(), ids=CLOSED_CASE_COMMANDS)
def test_each_command_is_valid_on_the_open_busy_case(
    busy_case: Case, command: Callable[[Case], object]
) -> None:
    # The counterpart of the next test: each command fails there only for closing.
    version = busy_case.version

    command(busy_case)

    assert busy_case.version == version + 1


@pytest.mark.parametrize("command", CLOSED_CASE_COMMANDS.values(), ids=CLOSED_CASE_COMMANDS)
def test_closed_case_refuses_every_event_but_consent_withdrawn(
    busy_case: Case, command: Callable[[Case], object]
) -> None:
    busy_case.close(LEAD, minutes(40), reason="done")

    with refused(busy_case, CaseIsClosed):
        command(busy_case)


def test_closed_case_still_accepts_consent_withdrawn(busy_case: Case) -> None:
    busy_case.close(LEAD, minutes(40), reason="done")

    busy_case.withdraw_consent(LEAD, minutes(50), consent_id="mbe-consent")

    consent = busy_case.ledger.get("mbe-consent")
    assert consent is not None
    assert consent.status(minutes(50)) is ConsentStatus.WITHDRAWN
    assert type(last_event(busy_case)) is ConsentWithdrawn


CONSENT_LACKING_COMMANDS: dict[str, Callable[[Case], object]] = {
    "ReferralSent": lambda c: send(c, to=ABH, at=minutes(50)),
    "CourseAssigned": lambda c: c.assign_course(
        LEAD, minutes(50), course_type="orientation_course", provider=ABH.agency
    ),
    "AgreementConcluded": lambda c: conclude(c, ABH),
    "CaseTransferred": lambda c: c.transfer(LEAD, minutes(50), to_agency=ABH.agency),
}


@pytest.mark.parametrize("command", CONSENT_LACKING_COMMANDS.values(), ids=CONSENT_LACKING_COMMANDS)
def test_closed_case_refuses_as_invalid_event_even_events_lacking_consent(
    busy_case: Case, command: Callable[[Case], object]
) -> None:
    # Contract: after CaseClosed "every event but ConsentWithdrawn is invalid-event",
    # not consent-required (which would also log a refused disclosure).
    busy_case.close(LEAD, minutes(40), reason="done")

    with refused(busy_case, CaseIsClosed):
        command(busy_case)


# Ids


def test_generated_ids_count_up_per_kind(case: Case) -> None:
    grant(case, MBE, ["counselling", "case_management"], ["identity", "contact"])
    grant(case, VHS, ["language_course"], ["identity", "contact"])
    grant(case, MBE, ["case_management"], ["integration_plan"])

    ids = [
        send(case),
        send(case),
        case.assign_course(
            LEAD, minutes(1), course_type="integration_course", provider="vhs-leipzig"
        ),
        conclude(case, LEAD, MBE),
        case.record_qualification(LEAD, minutes(2), title="BSc", country="SY"),
    ]

    assert ids == ["referral-1", "referral-2", "course-1", "agreement-1", "qualification-1"]
    assert list(case.ledger.consents) == ["consent-1", "consent-2", "consent-3"]
    assert list(case.agreements["agreement-1"].milestones) == ["milestone-1", "milestone-2"]


def test_second_agreement_continues_the_milestone_numbering(with_agreement: Case) -> None:
    conclude(with_agreement, LEAD)

    assert list(with_agreement.agreements["agreement-2"].milestones) == ["milestone-3"]


def test_client_given_slug_ids_are_used(case: Case) -> None:
    consent_id = grant(case, MBE, ["counselling"], ["identity", "contact"], consent_id="c-2026-09")
    referral_id = send(case, referral_id="to-mbe")
    agreement_id = case.conclude_agreement(
        LEAD, minutes(20), signed_on=date(2026, 9, 1), agreement_id="iv-1",
        milestones=[{"title": "A2", "due_on": date(2026, 12, 1),
                     "responsible_agency": LEAD.agency, "milestone_id": "a2-exam"}],
    )  # fmt: skip

    assert (consent_id, referral_id, agreement_id) == ("c-2026-09", "to-mbe", "iv-1")
    assert list(case.agreements["iv-1"].milestones) == ["a2-exam"]
    assert last_event(case).agreement_id == "iv-1"


def test_generated_ids_skip_ids_the_client_already_took(case: Case) -> None:
    case.record_qualification(
        LEAD, minutes(1), title="BSc", country="SY", qualification_id="qualification-2"
    )
    case.record_qualification(LEAD, minutes(2), title="MSc", country="SY")
    third = case.record_qualification(LEAD, minutes(3), title="PhD", country="SY")

    assert list(case.qualifications) == ["qualification-2", "qualification-1", "qualification-3"]
    assert third == "qualification-3"


@pytest.mark.parametrize(
    "bad_id",
    ["Upper", "a", "-leading-dash", "with space", "under_score", "umlaut-\u00e4", "x" * 64, ""],
)
def test_client_given_ids_must_be_slugs(case: Case, bad_id: str) -> None:
    with refused(case, InvalidEvent):
        case.record_qualification(
            LEAD, minutes(1), title="BSc", country="SY", qualification_id=bad_id
        )


def test_longest_slug_id_is_accepted(case: Case) -> None:
    longest = "x" * 63

    assert (
        case.record_qualification(
            LEAD, minutes(1), title="BSc", country="SY", qualification_id=longest
        )
        == longest
    )


TAKES_ID: dict[str, Callable[[Case, str], object]] = {
    "consent": lambda c, i: grant(c, MBE, ["counselling"], ["identity"], consent_id=i),
    "referral": lambda c, i: send(c, referral_id=i),
    "course": lambda c, i: c.assign_course(
        LEAD, minutes(1), course_type="literacy_course", provider=LEAD.agency, course_id=i
    ),
    "agreement": lambda c, i: conclude(c, LEAD, agreement_id=i),
    "milestone": lambda c, i: c.conclude_agreement(
        LEAD,
        minutes(1),
        signed_on=date(2026, 9, 1),
        milestones=[
            {
                "title": "A2",
                "due_on": date(2026, 12, 1),
                "responsible_agency": LEAD.agency,
                "milestone_id": i,
            }
        ],
    ),
    "qualification": lambda c, i: c.record_qualification(
        LEAD, minutes(1), title="BSc", country="SY", qualification_id=i
    ),
}


@pytest.mark.parametrize("first", TAKES_ID)
@pytest.mark.parametrize("second", TAKES_ID)
def test_client_given_ids_are_unique_within_the_case_across_kinds(
    referred: Case, first: str, second: str
) -> None:
    TAKES_ID[first](referred, "shared-id")

    with refused(referred, DuplicateId):
        TAKES_ID[second](referred, "shared-id")


def test_client_given_id_may_not_clash_with_a_generated_one(referred: Case) -> None:
    with refused(referred, DuplicateId):
        referred.record_qualification(
            LEAD, minutes(1), title="BSc", country="SY", qualification_id="referral-1"
        )


def test_milestone_ids_within_one_agreement_are_unique(case: Case) -> None:
    with refused(case, DuplicateId):
        case.conclude_agreement(
            LEAD, minutes(1), signed_on=date(2026, 9, 1),
            milestones=[
                {"title": "A2", "due_on": date(2026, 12, 1),
                 "responsible_agency": LEAD.agency, "milestone_id": "exam"},
                {"title": "B1", "due_on": date(2027, 6, 1),
                 "responsible_agency": LEAD.agency, "milestone_id": "exam"},
            ],
        )  # fmt: skip


def test_milestone_id_may_not_repeat_the_id_of_its_own_agreement(case: Case) -> None:
    with refused(case, DuplicateId):
        case.conclude_agreement(
            LEAD, minutes(1), signed_on=date(2026, 9, 1), agreement_id="plan",
            milestones=[{"title": "A2", "due_on": date(2026, 12, 1),
                         "responsible_agency": LEAD.agency, "milestone_id": "plan"}],
        )  # fmt: skip


def test_free_client_milestone_id_is_not_taken_by_a_generated_sibling(case: Case) -> None:
    # "milestone-1" is free on the case, so the client may choose it; the service
    # must generate a different id for the sibling that came without one.
    case.conclude_agreement(
        LEAD, minutes(1), signed_on=date(2026, 9, 1),
        milestones=[
            {"title": "A2", "due_on": date(2026, 12, 1), "responsible_agency": LEAD.agency},
            {"title": "B1", "due_on": date(2027, 6, 1),
             "responsible_agency": LEAD.agency, "milestone_id": "milestone-1"},
        ],
    )  # fmt: skip

    milestones = case.agreements["agreement-1"].milestones
    assert len(milestones) == 2
    assert milestones["milestone-1"].title == "B1"


# Replay


def test_replaying_the_events_rebuilds_the_same_case(busy_case: Case) -> None:
    # 1. More history: a decline, a completed referral, a transfer.
    busy_case.decline_referral(MBE, minutes(10), referral_id="sent-referral")
    busy_case.complete_referral(
        MBE, minutes(11), referral_id="accepted-referral", outcome="counselled"
    )
    busy_case.meet_milestone(
        MBE, minutes(12), agreement_id="the-agreement", milestone_id="milestone-1",
        met_on=date(2026, 10, 1),
    )  # fmt: skip
    busy_case.withdraw_consent(LEAD, minutes(13), consent_id="vhs-consent")
    busy_case.transfer(LEAD, minutes(14), to_agency=MBE.agency)
    # 2. Collect what would be stored.
    events = busy_case.collect_events()
    assert [e.originator_version for e in events] == list(range(1, busy_case.version + 1))
    # 3. Rebuild from nothing, one event at a time.
    replayed: Any = None
    for event in events:
        replayed = event.mutate(replayed)

    assert replayed == busy_case
    assert replayed.version == busy_case.version
    assert replayed.lead_agency == MBE.agency
    assert replayed.referrals == busy_case.referrals
    assert replayed.referrals["sent-referral"].status is ReferralStatus.DECLINED
    assert replayed.referrals["accepted-referral"].status is ReferralStatus.COMPLETED
    assert replayed.involved == {LEAD.agency, MBE.agency, VHS.agency}
    withdrawn = replayed.ledger.get("vhs-consent")
    assert withdrawn is not None
    assert withdrawn.withdrawn_at == minutes(13)
    assert replayed.modified_on == minutes(14)
