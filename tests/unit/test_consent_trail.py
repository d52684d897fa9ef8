"""The consent trail, derived from a case's history alone (no store, no clock).

A disclosure's basis is not stored: replaying the consent events and asking the
ledger at the event's instant must name the consents its command relied on.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from consent import Category, Purpose
from coordination.domain.case import Case
from coordination.domain.errors import ConsentRequired
from coordination.domain.identity import Actor
from coordination.domain.trail import CaseEvent, Cover, consent_trail, current_access, flows_of
from coordination.services.oversight.trail import LoggedAccess, timeline
from tests.people import PERSON

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
LEAD = Actor("abh-leipzig", "abh-caseworker")
MBE, VHS = "mbe-leipzig", "vhs-leipzig"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def new_case() -> Case:
    return Case.open(LEAD, T0, municipality="leipzig", person=dict(PERSON))


def grant(case: Case, when: datetime, recipient: str, purposes: list[str],
          categories: list[str], **extra: Any) -> str:  # fmt: skip
    return case.grant_consent(
        LEAD, when, recipients=[recipient], purposes=purposes, categories=categories,
        given_on=date(2026, 9, 1), evidence={"method": "written"}, **extra,
    )  # fmt: skip


def history(case: Case) -> list[CaseEvent]:
    return list(case.collect_events())  # type: ignore[arg-type]


# Each disclosing command, with the consent it needs: (recipient, purpose, categories).
DISCLOSING: dict[str, tuple[Callable[[Case, datetime], object], tuple[str, str, list[str]]]] = {
    "ReferralSent": (
        lambda c, t: c.send_referral(LEAD, t, to_agency=MBE, purpose="job_placement",
                                     categories=["identity", "employment"]),
        (MBE, "job_placement", ["employment", "identity"]),
    ),
    "CourseAssigned": (
        lambda c, t: c.assign_course(LEAD, t, course_type="integration_course", provider=VHS),
        (VHS, "language_course", ["contact", "identity"]),
    ),
    "AgreementConcluded": (
        lambda c, t: c.conclude_agreement(LEAD, t, signed_on=date(2026, 9, 2), milestones=[
            {"title": "Kurs", "due_on": date(2026, 11, 1), "responsible_agency": MBE}]),
        (MBE, "case_management", ["integration_plan"]),
    ),
    "CaseTransferred": (
        lambda c, t: c.transfer(LEAD, t, to_agency=MBE),
        (MBE, "case_management", ["identity"]),
    ),
}  # fmt: skip


@pytest.mark.parametrize("event_type", sorted(DISCLOSING))
def test_each_disclosure_is_the_one_its_command_checks_consent_for(event_type: str) -> None:
    command, (recipient, purpose, categories) = DISCLOSING[event_type]
    case = new_case()
    with pytest.raises(ConsentRequired) as refused:
        command(case, at(1))
    assert (refused.value.recipient, refused.value.purpose) == (recipient, purpose)
    assert refused.value.categories == categories

    consent_id = grant(case, at(2), recipient, [purpose], categories)
    command(case, at(3))

    events = history(case)
    (flow,) = flows_of(events[-1])
    assert (flow.recipient, flow.purpose, list(flow.categories)) == (recipient, purpose, categories)
    (disclosure,) = consent_trail(events).disclosures
    assert disclosure.basis == {Category(c): consent_id for c in categories}
    assert disclosure.event_type == event_type


def test_an_agency_acting_for_itself_discloses_nothing() -> None:
    case = new_case()
    case.assign_course(LEAD, at(1), course_type="integration_course", provider=LEAD.agency)
    own = {"title": "Termin", "due_on": date(2026, 10, 1), "responsible_agency": LEAD.agency}
    case.conclude_agreement(LEAD, at(2), signed_on=date(2026, 9, 2), milestones=[own])
    assert consent_trail(history(case)).disclosures == []


def test_consents_that_combine_each_carry_the_disclosure_they_allowed() -> None:
    case = new_case()
    identity = grant(case, at(1), MBE, ["job_placement"], ["identity"])
    contact = grant(case, at(2), MBE, ["job_placement"], ["contact"])
    case.send_referral(LEAD, at(3), to_agency=MBE, purpose="job_placement",
                       categories=["identity", "contact"])  # fmt: skip

    trail = consent_trail(history(case))

    (disclosure,) = trail.disclosures
    assert disclosure.basis == {Category.IDENTITY: identity, Category.CONTACT: contact}
    assert trail.stories[identity].disclosures == [disclosure]
    assert trail.stories[contact].disclosures == [disclosure]
    assert trail.unfounded == []


def test_the_basis_is_the_consent_in_force_then_not_now() -> None:
    case = new_case()
    consent_id = grant(case, at(1), MBE, ["counselling"], ["identity"])
    case.send_referral(LEAD, at(2), to_agency=MBE, purpose="counselling", categories=["identity"])
    case.withdraw_consent(LEAD, at(3), consent_id=consent_id)

    trail = consent_trail(history(case))

    assert trail.disclosures[0].basis == {Category.IDENTITY: consent_id}
    story = trail.stories[consent_id]
    assert story.withdrawn is not None
    assert (story.withdrawn.version, story.withdrawn.at) == (4, at(3))
    assert story.ended_at(at(10)) == at(3)
    assert story.status(at(10)) == "withdrawn"


def test_current_access_ends_at_the_instant_of_expiry() -> None:
    case = new_case()
    expires = datetime(2026, 9, 30, 22, 0, tzinfo=UTC)  # end of 30 September in Berlin
    older = grant(case, at(1), MBE, ["counselling"], ["contact"], valid_until=date(2026, 9, 30))
    newer = grant(case, at(2), MBE, ["counselling"], ["contact", "identity"])
    ledger = consent_trail(history(case)).ledger

    just_before = current_access(ledger, [MBE, LEAD.agency], expires - timedelta(microseconds=1))
    at_expiry = current_access(ledger, [MBE, LEAD.agency], expires)

    assert just_before[MBE][Category.CONTACT] == [Cover(older, expires), Cover(newer, None)]
    assert at_expiry[MBE][Category.CONTACT] == [Cover(newer, None)]
    assert at_expiry[MBE][Category.IDENTITY] == [Cover(newer, None)]
    assert all(covers == [] for covers in at_expiry[LEAD.agency].values())
    assert set(at_expiry[MBE]) == set(Category)


def test_timeline_puts_events_before_an_expiry_before_log_entries_at_one_instant() -> None:
    case = new_case()
    midnight = datetime(2026, 9, 1, 22, 0, tzinfo=UTC)
    consent_id = grant(case, at(1), MBE, ["counselling"], ["contact"],
                       valid_until=date(2026, 9, 1))  # fmt: skip
    trail = consent_trail(history(case))
    refused_read = LoggedAccess(midnight, MBE, "mbe-caseworker", "caseworker", "r1", "withheld",
                                ["contact"], {}, "no-consent")  # fmt: skip
    dpo_look = LoggedAccess(midnight, "kreis", "dpo", "dpo", "r2", "read", [], {"role": "dpo"},
                            None)  # fmt: skip

    steps = timeline(trail, [dpo_look, refused_read], midnight)

    assert [(s.step, s.at) for s in steps] == [
        ("consent-granted", at(1)),
        ("consent-expired", midnight),
        ("withheld", midnight),
    ]
    assert steps[1].consent_id == consent_id
    assert steps[1].purposes == [Purpose.COUNSELLING.value]
