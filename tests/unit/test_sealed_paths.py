"""Which parts of an event's state are sealed: whole fields, a key of each item of a list,
a key of a dict; and what is left of each once the case's key is destroyed."""

from typing import Any

from coordination.adapters.store.sealing import ERASED, join, split


def consent(representative: dict[str, Any] | None) -> dict[str, Any]:
    return {"consent_id": "consent-1", "recipients": ["jmd"], "legal_representative":
            representative}  # fmt: skip


def test_a_dict_field_keeps_its_standing_in_clear_and_seals_the_name() -> None:
    state = consent({"name": "Samir Haddad", "representation": "parent"})

    clear, personal = split("ConsentGranted", state)

    assert clear["legal_representative"] == {"representation": "parent"}
    assert personal == {"legal_representative": {"name": "Samir Haddad"}}
    join("ConsentGranted", clear, personal)
    assert clear == state


def test_once_erased_the_name_is_none_and_the_standing_stays() -> None:
    clear, _ = split("ConsentGranted", consent({"name": "S. H.", "representation": "guardian"}))

    join("ConsentGranted", clear, None)

    assert clear["legal_representative"] == {"representation": "guardian", "name": None}
    assert clear[ERASED] is True


def test_a_consent_the_person_gave_has_nothing_to_seal_there() -> None:
    clear, personal = split("ConsentGranted", consent(None))

    assert clear["legal_representative"] is None
    assert "legal_representative" not in personal
    join("ConsentGranted", clear, personal)
    assert clear["legal_representative"] is None


def test_a_list_field_seals_a_key_of_each_item_as_before() -> None:
    milestone = {"milestone_id": "m-1", "title": "Kurs begonnen", "responsible_agency": "vhs"}
    state = {"agreement_id": "a-1", "milestones": [milestone]}

    clear, personal = split("AgreementConcluded", state)
    join("AgreementConcluded", clear, None)

    assert personal == {"milestones": [{"title": "Kurs begonnen"}]}
    assert clear["milestones"] == [
        {"milestone_id": "m-1", "responsible_agency": "vhs", "title": None}
    ]
