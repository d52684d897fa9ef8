"""The person's details after the opening: each change replaces what the case holds and
leaves every earlier event as it was recorded."""

from datetime import UTC, date, datetime

import pytest

from coordination.domain.case import Case, CaseOpened, ContactChanged
from coordination.domain.errors import InvalidEvent
from coordination.domain.identity import Actor
from tests.people import PERSON

AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
ABH = Actor("abh-leipzig", "t")


def opened() -> Case:
    return Case.open(ABH, AT, person=dict(PERSON), municipality="leipzig",
                     residence_status="aufenthaltserlaubnis")  # fmt: skip


def test_a_correction_replaces_the_person_and_leaves_the_opening_as_recorded() -> None:
    case = opened()
    case.correct_person(ABH, AT, family_name="Al-Haddad", reason="as in the passport")

    assert case.person == {**PERSON, "family_name": "Al-Haddad"}
    opening, correction = case.collect_events()
    assert isinstance(opening, CaseOpened)
    assert opening.person == PERSON  # the opening's dict was never changed in place
    assert vars(correction)["given_name"] is None  # not corrected


def test_a_contact_change_sets_what_it_names_and_removes_what_it_nulls() -> None:
    case = opened()
    case.change_contact(ABH, AT, email=None)
    case.change_contact(ABH, AT, phone="+49 341 2222222")

    assert (case.person["phone"], case.person["email"]) == ("+49 341 2222222", None)
    changes = [e for e in case.collect_events() if isinstance(e, ContactChanged)]
    assert [c.contact for c in changes] == [{"email": None}, {"phone": "+49 341 2222222"}]


def test_a_residence_change_sets_the_status() -> None:
    case = opened()
    case.change_residence_status(ABH, AT, residence_status="niederlassungserlaubnis",
                                 changed_on=date(2026, 8, 28))  # fmt: skip
    assert case.residence_status == "niederlassungserlaubnis"


def test_a_change_that_names_nothing_is_refused() -> None:
    case = opened()
    with pytest.raises(InvalidEvent, match="give at least one of given_name"):
        case.correct_person(ABH, AT, reason="nothing")
    with pytest.raises(InvalidEvent, match="give at least one of phone, email"):
        case.change_contact(ABH, AT, reason="nothing")
    assert case.version == 1
