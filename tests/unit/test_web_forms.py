"""Forms are generated from the contract's request models and read back into them."""

import pytest
from pydantic import ValidationError
from starlette.datastructures import FormData

from coordination.contract.requests import EVENT_BODIES, OpenCase
from coordination.entrypoints.web.forms import (
    MESSAGES,
    form_fields,
    problems_of,
    read_form,
)


def widgets(model: type, form: str = "f") -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(fields: list) -> None:  # type: ignore[type-arg]
        for f in fields:
            found[f.name] = f.widget
            walk(f.children)

    walk(form_fields(model, form=form))
    return found


def test_a_consent_form_asks_for_what_the_contract_needs() -> None:
    found = widgets(EVENT_BODIES["ConsentGranted"])
    assert found["recipients"] == "agencies"
    assert found["purposes"] == "choices"
    assert found["categories"] == "choices"
    assert found["given_on"] == "date"
    assert found["evidence"] == "group"
    assert found["evidence.method"] == "select"
    assert "consent_id" not in found  # made up by the service when left out


def test_a_required_id_is_asked_for() -> None:
    assert widgets(EVENT_BODIES["ConsentWithdrawn"])["consent_id"] == "text"


def test_an_agreement_offers_rows_of_milestones() -> None:
    found = widgets(EVENT_BODIES["AgreementConcluded"])
    assert found["milestones"] == "rows"
    assert found["milestones.0.due_on"] == "date"
    assert found["milestones.2.responsible_agency"] == "agency"


def test_ids_carry_the_forms_name_so_a_page_can_hold_several() -> None:
    fields = form_fields(EVENT_BODIES["ReferralSent"], form="ReferralSent")
    assert {f.id for f in fields} >= {"ReferralSent-to_agency", "ReferralSent-categories"}


def test_a_filled_form_reads_back_into_the_request_body() -> None:
    form = FormData([
        ("person.given_name", "Amina"), ("person.family_name", " Haddad "),
        ("person.languages", "ar, de"), ("person.phone", ""), ("municipality", "mayen-koblenz"),
        ("csrf_token", "not a field"),
    ])  # fmt: skip
    body = read_form(form_fields(OpenCase), form)
    assert body == {
        "person": {"given_name": "Amina", "family_name": "Haddad", "languages": ["ar", "de"]},
        "municipality": "mayen-koblenz",
    }
    assert OpenCase.model_validate(body).model_dump()["person"]["languages"] == ["ar", "de"]


def test_empty_milestone_rows_are_left_out() -> None:
    form = FormData([
        ("signed_on", "2026-12-01"), ("milestones.1.title", "B1"),
        ("milestones.1.due_on", "2027-06-30"), ("milestones.1.responsible_agency", "vhs"),
    ])  # fmt: skip
    body = read_form(form_fields(EVENT_BODIES["AgreementConcluded"]), form)
    assert body["milestones"] == [
        {"title": "B1", "due_on": "2027-06-30", "responsible_agency": "vhs"}
    ]


def test_errors_land_on_the_fields_that_caused_them() -> None:
    model = EVENT_BODIES["ConsentGranted"]
    body = {"type": "ConsentGranted", "recipients": ["mbe"], "purposes": ["counselling"],
            "categories": [], "given_on": "not a day", "evidence": {}}  # fmt: skip
    with pytest.raises(ValidationError) as invalid:
        model.model_validate(body)
    problems = {p.field: p.message for p in problems_of(invalid.value)}
    assert problems == {
        "categories": MESSAGES["too_short"],
        "given_on": MESSAGES["date_from_datetime_parsing"],
        "evidence.method": MESSAGES["missing"],
    }
