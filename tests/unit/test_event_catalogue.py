"""The catalogue holds every event class of the domain, each declared once, and what is
derived from it (request models, sealing, labels, docs/events.md) agrees with it."""

import importlib
import pkgutil
from datetime import UTC, date, datetime
from typing import Any, get_type_hints
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import resolve_topic

import coordination.domain
from coordination.adapters.reports.labels import Language, Words
from coordination.adapters.store.sealing import join, split
from coordination.adapters.store.topics import NESTED_IN_CASE, NESTED_TYPES, stored_topics
from coordination.contract.events import EVENT_OUTS, example_data, example_event, stored_fields
from coordination.contract.requests import EVENT_BODIES, ErasureRequest, OpenCase
from coordination.domain.case import Case, Event
from coordination.domain.catalogue import CATALOGUE, POSTED_TYPES
from coordination.domain.declaration import Recorder
from coordination.domain.errors import CaseIsClosed, NotPermitted
from coordination.domain.identity import Actor
from coordination.domain.statutory import BOOK_EVENTS
from tests.catalogue_table import PAGE, page_with_tables

AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
LEAD, OTHER, VHS = Actor("lead", "t"), Actor("other", "t"), Actor("vhs", "t")


def domain_event_classes() -> set[type]:
    """Every event class any module of the domain defines."""
    found = set()
    for module in pkgutil.walk_packages(coordination.domain.__path__, "coordination.domain."):
        for value in vars(importlib.import_module(module.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, Aggregate.Event | Aggregate.Created)
                and value.__module__ == module.name
                and value is not Event  # the base of the events after the opening
            ):
                found.add(value)
    return found


def test_every_event_class_of_the_domain_is_catalogued_with_its_command() -> None:
    classes = domain_event_classes()
    assert classes, "the domain defines event classes"
    # The rule book's events are no case's (ADR 0038): the one stream beside the cases.
    assert classes == {t.event for t in CATALOGUE.values()} | set(BOOK_EVENTS)
    for t in CATALOGUE.values():
        assert getattr(Case, t.command.__name__).__records__ is t.event


@pytest.mark.parametrize("name", CATALOGUE)
def test_each_declaration_is_complete_and_names_real_fields(name: str) -> None:
    event_type = CATALOGUE[name]
    declared = event_type.declared
    assert declared.label.de
    assert declared.label.en
    fields = get_type_hints(event_type.event)
    for path in declared.sealed:
        field = path.split(".")[0]
        assert field in fields, f"{name} seals '{path}', which it does not have"
    assert declared.example, f"{name} declares an example request"


@pytest.mark.parametrize("name", [t.name for t in POSTED_TYPES])
def test_each_example_is_a_valid_request(name: str) -> None:
    EVENT_BODIES[name].model_validate({"type": name, **CATALOGUE[name].declared.example})


@pytest.mark.parametrize("name", CATALOGUE)
def test_each_example_answer_shows_every_field_the_event_stores(name: str) -> None:
    event_type = CATALOGUE[name]
    assert set(example_data(event_type)) == set(stored_fields(event_type))
    shown = EVENT_OUTS[name].model_validate(example_event(event_type))
    assert shown.model_dump(mode="json", exclude_unset=True) == example_event(event_type)


def test_the_opening_and_the_erasure_take_their_examples_too() -> None:
    OpenCase.model_validate(CATALOGUE["CaseOpened"].declared.example)
    ErasureRequest.model_validate(CATALOGUE["CaseErased"].declared.example)


def test_the_posted_events_are_those_a_caseworker_records_on_a_case() -> None:
    assert {t.name for t in POSTED_TYPES} == set(CATALOGUE) - {"CaseOpened", "CaseErased"}


@pytest.mark.parametrize("name", CATALOGUE)
def test_sealed_fields_are_what_leaves_the_clear_part(name: str) -> None:
    sealed = CATALOGUE[name].declared.sealed
    state = {field: f"value of {field}" for field in get_type_hints(CATALOGUE[name].event)}
    if "milestones" in state:
        state["milestones"] = [{"title": "t", "due_on": "d", "milestone_id": "m"}]
    if "legal_representative" in state:
        state["legal_representative"] = {"name": "n", "representation": "parent"}
    clear, personal = split(name, dict(state))
    assert set(personal) == {path.split(".")[0] for path in sealed}
    for path in sealed:
        field, _, key = path.partition(".")
        kept = clear.get(field)
        parts = kept if isinstance(kept, list) else [kept] if isinstance(kept, dict) else []
        assert field not in clear or (key and all(key not in part for part in parts))
    join(name, clear, personal)
    assert clear == state


@pytest.mark.parametrize("name", NESTED_TYPES)
def test_the_topics_of_events_nested_in_case_still_resolve(name: str) -> None:
    old = NESTED_IN_CASE.format(name)
    assert resolve_topic(old) is CATALOGUE[name].event
    assert old in stored_topics(CATALOGUE[name].event)


def test_each_event_type_reads_in_german_and_english() -> None:
    for t in CATALOGUE.values():
        assert Words(Language.DE).term(t.name) == t.declared.label.de
        assert Words(Language.EN).term(t.name) == t.declared.label.en


def test_docs_events_holds_the_catalogue_as_it_is() -> None:
    page = PAGE.read_text()
    assert page == page_with_tables(page), "run `python -m tests.catalogue_table`"


# Who may record: the declaration matches the guards the commands run.


def case_with_a_sent_referral() -> Case:
    case = Case.open(LEAD, AT, person={"given_name": "A", "family_name": "B"}, municipality="m")
    case.grant_consent(LEAD, AT, recipients=["other"], purposes=["counselling"],
                       categories=["identity"], given_on=date(2026, 9, 1),
                       evidence={"method": "written"})  # fmt: skip
    case.send_referral(LEAD, AT, to_agency="other", purpose="counselling",
                       categories=["identity"], referral_id="r-1")  # fmt: skip
    return case


COMMANDS_BY_ANOTHER: dict[str, Any] = {
    "ReferralAccepted": lambda c: c.accept_referral(LEAD, AT, referral_id="r-1"),
    "ReferralDeclined": lambda c: c.decline_referral(LEAD, AT, referral_id="r-1"),
    "ReferralCompleted": lambda c: c.complete_referral(LEAD, AT, referral_id="r-1", outcome="o"),
    "CaseTransferred": lambda c: c.transfer(OTHER, AT, to_agency="vhs"),
    "CaseClosed": lambda c: c.close(OTHER, AT, reason="done"),
    "CaseReopened": lambda c: c.reopen(OTHER, AT, reason="again"),
    "CaseMerged": lambda c: c.merge(OTHER, AT, into_case_id=str(uuid4()), reason="same"),
}


@pytest.mark.parametrize(
    "name",
    [t.name for t in CATALOGUE.values()
     if t.declared.recorded_by in (Recorder.ADDRESSEE, Recorder.LEAD)],
)  # fmt: skip
def test_what_only_the_addressee_or_the_lead_may_record_refuses_another_agency(name: str) -> None:
    case = case_with_a_sent_referral()
    if name == "ReferralCompleted":
        case.accept_referral(OTHER, AT, referral_id="r-1")
    if name == "CaseReopened":
        case.close(LEAD, AT, reason="done")
    with pytest.raises(NotPermitted):
        COMMANDS_BY_ANOTHER[name](case)


def test_a_closed_case_names_every_event_that_may_still_follow() -> None:
    may_follow = {name for name, t in CATALOGUE.items() if t.declared.on_closed_case}
    said = str(CaseIsClosed()).split("only ", 1)[1].removesuffix(" may follow")
    assert set(said.replace(" and ", ", ").split(", ")) == may_follow - {"CaseErased"}
