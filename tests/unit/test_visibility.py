"""Who sees what: view_event and view_case against the contract's read rule."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from consent import Category
from coordination.domain.case import Case
from coordination.domain.case_view import view_case
from coordination.domain.identity import Actor
from coordination.domain.visibility import Sight, view_event
from tests.people import PERSON

LEAD = "jobcenter-leipzig"
MBE = "mbe-leipzig"
VHS = "vhs-leipzig"
OTHER = "abh-leipzig"
AUDITOR = "rpa-leipzig"
DPO = "datenschutz-leipzig"

AT = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)

IDENTITY_PART = {k: PERSON[k] for k in PERSON if k not in ("phone", "email")}
CONTACT_PART = {"phone": PERSON["phone"], "email": PERSON["email"]}
OPENING = {
    "municipality": "leipzig",
    "person": PERSON,
    "arrived_on": date(2026, 8, 14),
    "residence_status": "aufenthaltserlaubnis",
}

# One sample payload per contract event type (as recorded, without the envelope).
DATA: dict[str, dict[str, Any]] = {
    "CaseOpened": OPENING,
    "ConsentGranted": {
        "consent_id": "consent-1", "recipients": [MBE], "purposes": ["counselling"],
        "categories": ["identity"], "given_on": date(2026, 9, 1), "valid_until": None,
        "evidence": {"method": "written"}, "notice_version": None,
    },
    "ConsentWithdrawn": {"consent_id": "consent-1", "withdrawn_on": None, "reason": "asked"},
    "ReferralSent": {
        "referral_id": "referral-1", "to_agency": MBE, "purpose": "counselling",
        "categories": ["identity", "family"], "note": "two children, trauma counselling",
    },
    "ReferralAccepted": {"referral_id": "referral-1", "reason": "we have a slot"},
    "ReferralDeclined": {"referral_id": "referral-1", "reason": "no Arabic speaker"},
    "ReferralCompleted": {"referral_id": "referral-1", "outcome": "family counselling done"},
    "CourseAssigned": {
        "course_id": "course-1", "course_type": "integration_course", "provider": VHS,
        "target_level": "B1", "starts_on": date(2026, 10, 1),
    },
    "CourseCompleted": {"course_id": "course-1", "result": "B1", "completed_on": date(2027, 3, 1)},
    "AgreementConcluded": {
        "agreement_id": "agreement-1", "signed_on": date(2026, 9, 1),
        "milestones": [{"milestone_id": "milestone-1", "title": "B1", "due_on": date(2027, 3, 1),
                        "responsible_agency": VHS}],
    },
    "MilestoneMet": {
        "agreement_id": "agreement-1", "milestone_id": "milestone-1",
        "met_on": date(2027, 3, 1), "note": None,
    },
    "MilestoneRescheduled": {
        "agreement_id": "agreement-1", "milestone_id": "milestone-1",
        "due_on": date(2027, 6, 1), "reason": "illness",
    },
    "QualificationRecorded": {
        "qualification_id": "qualification-1", "title": "BSc Civil Engineering",
        "country": "SY", "level": "bachelor", "obtained_on": date(2018, 7, 1),
    },
    "RecognitionDecided": {
        "qualification_id": "qualification-1", "outcome": "partial",
        "decided_on": date(2027, 1, 15),
    },
    "CaseTransferred": {"from_agency": LEAD, "to_agency": MBE, "reason": None},
    "CaseClosed": {"reason": "moved away"},
}  # fmt: skip

# The contract: "courses -> language; qualifications and recognition -> education;
# agreements and milestones -> integration_plan".
CATEGORY_OF = {
    "CourseAssigned": Category.LANGUAGE,
    "CourseCompleted": Category.LANGUAGE,
    "AgreementConcluded": Category.INTEGRATION_PLAN,
    "MilestoneMet": Category.INTEGRATION_PLAN,
    "MilestoneRescheduled": Category.INTEGRATION_PLAN,
    "QualificationRecorded": Category.EDUCATION,
    "RecognitionDecided": Category.EDUCATION,
}
ADMINISTRATION = ["ConsentGranted", "ConsentWithdrawn", "CaseTransferred", "CaseClosed"]
REFERRAL_EVENTS = ["ReferralSent", "ReferralAccepted", "ReferralDeclined", "ReferralCompleted"]
# Referral events are routed: (sender, addressee, the categories the referral names).
ROUTE = (LEAD, MBE, ["identity", "family"])


def sight(agency: str, *categories: Category, at: datetime = AT, **kwargs: bool) -> Sight:
    """What `agency` may see when one consent 'c1' gives it `categories`."""
    readable = dict.fromkeys(categories, "c1")
    return Sight(agency, at, lambda _recorder: readable, **kwargs)


def view(event_type: str, recorded_by: str, reader: Sight) -> Any:
    route = ROUTE if event_type in REFERRAL_EVENTS else None
    return view_event(event_type, DATA[event_type], recorded_by, reader, route)


# Recorder


@pytest.mark.parametrize("event_type", DATA)
def test_recorder_sees_its_own_event_whole_without_any_consent(event_type: str) -> None:
    seen = view(event_type, OTHER, sight(OTHER))

    assert seen.data == DATA[event_type]
    assert seen.withheld == set()
    assert seen.read == {}


def test_recorder_reading_its_own_event_is_not_a_read_under_consent() -> None:
    seen = view("CourseAssigned", VHS, sight(VHS, Category.LANGUAGE))

    assert seen.data == DATA["CourseAssigned"]
    assert seen.read == {}


# Consent recipients


@pytest.mark.parametrize(("event_type", "category"), CATEGORY_OF.items())
def test_consent_recipient_reads_an_event_its_consent_covers(
    event_type: str, category: Category
) -> None:
    seen = view(event_type, LEAD, sight(MBE, category))

    assert seen.data == DATA[event_type]
    assert seen.withheld == set()
    assert seen.read == {category: "c1"}


@pytest.mark.parametrize(("event_type", "category"), CATEGORY_OF.items())
def test_event_outside_the_consented_categories_is_withheld_naming_its_category(
    event_type: str, category: Category
) -> None:
    others = [c for c in Category if c is not category]

    seen = view(event_type, LEAD, sight(MBE, *others))

    assert seen.data is None
    assert seen.withheld == {category}
    assert seen.read == {}


@pytest.mark.parametrize("event_type", ADMINISTRATION)
def test_consents_and_case_administration_are_visible_to_every_related_agency(
    event_type: str,
) -> None:
    seen = view(event_type, LEAD, sight(MBE))

    assert seen.data == DATA[event_type]
    assert seen.withheld == set()


# CaseOpened is split into identity, contact and residence


def test_case_opened_with_identity_only_shows_identity_fields_and_arrival() -> None:
    seen = view("CaseOpened", LEAD, sight(MBE, Category.IDENTITY))

    assert seen.data == {
        "municipality": "leipzig",
        "person": IDENTITY_PART,
        "arrived_on": date(2026, 8, 14),
    }
    assert seen.withheld == {Category.CONTACT, Category.RESIDENCE}
    assert seen.read == {Category.IDENTITY: "c1"}


def test_case_opened_with_contact_only_shows_phone_and_email() -> None:
    seen = view("CaseOpened", LEAD, sight(MBE, Category.CONTACT))

    assert seen.data == {"municipality": "leipzig", "person": CONTACT_PART}
    assert seen.withheld == {Category.IDENTITY, Category.RESIDENCE}
    assert seen.read == {Category.CONTACT: "c1"}


def test_case_opened_with_residence_only_shows_the_residence_status() -> None:
    seen = view("CaseOpened", LEAD, sight(MBE, Category.RESIDENCE))

    assert seen.data == {"municipality": "leipzig", "residence_status": "aufenthaltserlaubnis"}
    assert seen.withheld == {Category.IDENTITY, Category.CONTACT}
    assert seen.read == {Category.RESIDENCE: "c1"}


def test_case_opened_with_all_three_categories_shows_everything() -> None:
    seen = view(
        "CaseOpened", LEAD, sight(MBE, Category.IDENTITY, Category.CONTACT, Category.RESIDENCE)
    )

    assert seen.data == OPENING
    assert seen.withheld == set()
    assert set(seen.read) == {Category.IDENTITY, Category.CONTACT, Category.RESIDENCE}


def test_case_opened_without_any_of_its_categories_is_withheld_whole() -> None:
    seen = view("CaseOpened", LEAD, sight(MBE, Category.LANGUAGE, Category.EDUCATION))

    assert seen.data is None
    assert seen.withheld == {Category.IDENTITY, Category.CONTACT, Category.RESIDENCE}
    assert seen.read == {}


# Referrals


def test_addressee_sees_the_referral_but_not_its_note_without_category_coverage() -> None:
    seen = view("ReferralSent", LEAD, sight(MBE, Category.IDENTITY))

    assert seen.data == {
        "referral_id": "referral-1",
        "to_agency": MBE,
        "purpose": "counselling",
        "categories": ["identity", "family"],
    }
    assert seen.withheld == {Category.FAMILY}


def test_addressee_covered_for_every_referral_category_reads_the_note() -> None:
    seen = view("ReferralSent", LEAD, sight(MBE, Category.IDENTITY, Category.FAMILY))

    assert seen.data == DATA["ReferralSent"]
    assert seen.read == {Category.IDENTITY: "c1", Category.FAMILY: "c1"}


def test_sender_sees_the_answer_to_its_referral_but_not_the_reason_without_coverage() -> None:
    seen = view("ReferralDeclined", MBE, sight(LEAD))

    assert seen.data == {"referral_id": "referral-1"}
    assert seen.withheld == {Category.IDENTITY, Category.FAMILY}


def test_sender_does_not_read_the_outcome_of_its_referral_without_coverage() -> None:
    seen = view("ReferralCompleted", MBE, sight(LEAD, Category.IDENTITY))

    assert seen.data == {"referral_id": "referral-1"}
    assert "outcome" not in seen.data


@pytest.mark.parametrize("event_type", REFERRAL_EVENTS)
def test_third_agency_sees_nothing_of_a_referral_it_is_not_covered_for(event_type: str) -> None:
    seen = view(event_type, MBE if event_type != "ReferralSent" else LEAD, sight(VHS))

    assert seen.data is None
    assert seen.withheld == {Category.IDENTITY, Category.FAMILY}


def test_third_agency_covered_for_the_referral_categories_reads_it() -> None:
    seen = view("ReferralSent", LEAD, sight(VHS, Category.IDENTITY, Category.FAMILY))

    assert seen.data == DATA["ReferralSent"]


# Auditors and data-protection officers


@pytest.mark.parametrize("event_type", DATA)
def test_auditor_sees_every_event_whole(event_type: str) -> None:
    seen = view(event_type, LEAD, sight(AUDITOR, everything=True))

    assert seen.data == DATA[event_type]
    assert seen.withheld == set()


@pytest.mark.parametrize("event_type", ADMINISTRATION)
def test_dpo_sees_administration_metadata_but_no_free_text(event_type: str) -> None:
    seen = view(event_type, LEAD, sight(DPO, metadata_only=True))

    assert seen.data is not None
    assert "reason" not in seen.data
    assert "note" not in seen.data
    for key, value in seen.data.items():
        if key == "evidence":
            assert value == {"method": DATA[event_type]["evidence"]["method"]}
        else:
            assert value == DATA[event_type][key]


@pytest.mark.parametrize("event_type", ["CaseOpened", *REFERRAL_EVENTS, *CATEGORY_OF], ids=str)
def test_dpo_sees_no_personal_payload(event_type: str) -> None:
    seen = view(event_type, LEAD, sight(DPO, metadata_only=True))

    assert seen.data is None
    assert seen.read == {}


def test_dpo_sees_no_payload_even_of_events_its_own_agency_recorded() -> None:
    seen = view("QualificationRecorded", DPO, sight(DPO, metadata_only=True))

    assert seen.data is None


def test_dpo_sees_no_payload_even_where_a_consent_would_cover_it() -> None:
    dpo = sight(DPO, *Category, metadata_only=True)

    opening = view("CaseOpened", LEAD, dpo)
    course = view("CourseAssigned", LEAD, dpo)

    assert opening.data is None
    assert course.data is None


# Reading a real case: sights come from the case's consent ledger


def sight_on(case: Case, agency: str, at: datetime) -> Sight:
    return Sight(agency, at, lambda by: case.ledger.readable_categories(agency, at, by))


@pytest.fixture
def case() -> Case:
    lead = Actor(LEAD, "jc")
    case = Case.open(
        lead,
        datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
        municipality="leipzig",
        person=dict(PERSON),
        arrived_on=date(2026, 8, 14),
        residence_status="aufenthaltserlaubnis",
    )
    at = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    case.grant_consent(
        lead, at, recipients=[MBE], purposes=["counselling"],
        categories=["identity", "family", "language"], given_on=date(2026, 9, 1),
        evidence={"method": "written"}, consent_id="mbe-consent",
    )  # fmt: skip
    case.send_referral(
        lead, at, to_agency=MBE, purpose="counselling", categories=["identity", "family"],
        note="two children",
    )  # fmt: skip
    case.assign_course(lead, at, course_type="integration_course", provider=LEAD)
    case.conclude_agreement(
        lead, at, signed_on=date(2026, 9, 1),
        milestones=[{"title": "B1", "due_on": date(2027, 3, 1), "responsible_agency": LEAD}],
    )  # fmt: skip
    case.record_qualification(lead, at, title="BSc", country="SY")
    return case


def test_withdrawn_consent_stops_reads_from_the_instant_of_withdrawal(case: Case) -> None:
    withdrawn_at = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
    case.withdraw_consent(Actor(LEAD, "jc"), withdrawn_at, consent_id="mbe-consent")

    before = view_event("CourseAssigned", DATA["CourseAssigned"], LEAD, sight_on(case, MBE, AT))
    after = view_event(
        "CourseAssigned", DATA["CourseAssigned"], LEAD, sight_on(case, MBE, withdrawn_at)
    )

    assert before.data == DATA["CourseAssigned"]
    assert before.read == {Category.LANGUAGE: "mbe-consent"}
    assert after.data is None
    assert after.withheld == {Category.LANGUAGE}


def test_expired_consent_stops_reads(case: Case) -> None:
    case.grant_consent(
        Actor(LEAD, "jc"), AT, recipients=[VHS], purposes=["language_course"],
        categories=["language"], given_on=date(2026, 9, 1), valid_until=date(2026, 9, 30),
        evidence={"method": "electronic"},
    )  # fmt: skip
    last_day = datetime(2026, 9, 30, 21, 59, tzinfo=UTC)

    on_last_day = view_event(
        "CourseAssigned", DATA["CourseAssigned"], LEAD, sight_on(case, VHS, last_day)
    )
    next_day = view_event(
        "CourseAssigned",
        DATA["CourseAssigned"],
        LEAD,
        sight_on(case, VHS, last_day + timedelta(minutes=1)),
    )

    assert on_last_day.data == DATA["CourseAssigned"]
    assert next_day.data is None


def test_lead_who_opened_the_case_sees_the_whole_case(case: Case) -> None:
    seen = view_case(case, sight_on(case, LEAD, AT))

    assert seen.data is not None
    assert seen.data["person"] == PERSON
    assert seen.data["residence_status"] == "aufenthaltserlaubnis"
    assert seen.data["lead_agency"] == LEAD
    assert [r["referral_id"] for r in seen.data["referrals"]] == ["referral-1"]
    assert len(seen.data["courses"]) == 1
    assert len(seen.data["agreements"]) == 1
    assert len(seen.data["qualifications"]) == 1
    assert seen.withheld == set()
    assert seen.read == {}


def test_consent_recipient_sees_only_the_covered_parts_of_the_case(case: Case) -> None:
    seen = view_case(case, sight_on(case, MBE, AT))

    assert seen.data is not None
    assert seen.data["person"] == IDENTITY_PART
    assert "residence_status" not in seen.data
    assert len(seen.data["courses"]) == 1  # language is covered
    assert seen.data["agreements"] == []
    assert seen.data["qualifications"] == []
    assert seen.withheld == {
        Category.CONTACT,
        Category.RESIDENCE,
        Category.INTEGRATION_PLAN,
        Category.EDUCATION,
    }
    assert seen.read == {
        Category.IDENTITY: "mbe-consent",
        Category.FAMILY: "mbe-consent",
        Category.LANGUAGE: "mbe-consent",
    }


def test_addressee_still_sees_its_referral_after_the_consent_is_withdrawn(case: Case) -> None:
    withdrawn_at = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
    case.withdraw_consent(Actor(LEAD, "jc"), withdrawn_at, consent_id="mbe-consent")

    seen = view_case(case, sight_on(case, MBE, withdrawn_at))

    assert seen.data is not None
    assert "person" not in seen.data
    assert seen.data["courses"] == []
    [referral] = seen.data["referrals"]
    assert (referral["to_agency"], referral["status"]) == (MBE, "sent")
    assert "note" not in referral
    assert [c["status"] for c in seen.data["consents"]] == ["withdrawn"]
    assert seen.read == {}


def test_unrelated_agency_sees_only_the_case_administration(case: Case) -> None:
    seen = view_case(case, sight_on(case, OTHER, AT))

    assert seen.data is not None
    assert seen.data["lead_agency"] == LEAD
    assert seen.data["status"] == "open"
    assert "person" not in seen.data
    assert seen.data["referrals"] == []
    assert seen.data["courses"] == []
    assert Category.IDENTITY in seen.withheld


def test_auditor_sees_the_whole_case(case: Case) -> None:
    seen = view_case(case, Sight(AUDITOR, AT, everything=True))

    assert seen.data is not None
    assert seen.data["person"] == PERSON
    assert seen.data["residence_status"] == "aufenthaltserlaubnis"
    assert len(seen.data["referrals"]) == 1
    assert len(seen.data["courses"]) == 1
    assert seen.withheld == set()


def test_dpo_sees_the_consents_of_the_case_but_no_personal_data(case: Case) -> None:
    seen = view_case(case, Sight(DPO, AT, metadata_only=True))

    assert seen.data is not None
    [consent] = seen.data["consents"]
    assert consent["consent_id"] == "mbe-consent"
    assert consent["status"] == "active"
    assert seen.data["lead_agency"] == LEAD
    assert "person" not in seen.data
    assert "arrived_on" not in seen.data
    assert "residence_status" not in seen.data
    assert seen.data["referrals"] == []
    assert seen.data["courses"] == []
    assert seen.data["agreements"] == []
    assert seen.data["qualifications"] == []
    assert seen.read == {}
