"""The rule book's commands: each guard refuses, and records nothing; what is recorded
makes the book's statute, version by version."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.domain.identity import Actor
from coordination.domain.statutory import (
    BOOK_ID,
    STARTER_SET,
    DuplicateRule,
    EmptyRule,
    InvalidRule,
    NoReason,
    NotASlug,
    RuleAdded,
    RuleBook,
    RuleBookOpened,
    RuleChanged,
    RuleIsRetired,
    RuleRetired,
    UnknownAgencyKind,
    UnknownRule,
    ValidityReversed,
    starter_book,
)
from coordination.domain.statutory.events import rule_of

AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
ADMIN = Actor("kommune-leipzig", "admin-token")
RULE = StatutoryRule(
    rule_id="test-placement", from_kinds=frozenset({"jobcenter"}),
    to_kinds=frozenset({"arbeitsagentur"}), categories=frozenset({Category.EMPLOYMENT}),
    purpose=Purpose.JOB_PLACEMENT, norm=Norm("§ 69 Abs. 1 Nr. 1 SGB X", "placement"),
    valid_from=date(2026, 1, 1), valid_until=None,
)  # fmt: skip


@pytest.fixture
def book() -> RuleBook:
    opened = RuleBook.open(ADMIN, AT)
    opened.add_rule(ADMIN, AT, rule=RULE, reason="agreed with the DPO")
    return opened


def refused(book: RuleBook, error: type[Exception], command: str, **kwargs: object) -> None:
    before = book.version
    with pytest.raises(error):
        getattr(book, command)(ADMIN, AT + timedelta(hours=1), **kwargs)
    assert book.version == before, "a refused command records nothing"


def test_the_book_lives_at_one_fixed_id_and_records_who_and_why(book: RuleBook) -> None:
    opened, added = book.collect_events()
    assert isinstance(opened, RuleBookOpened)
    assert isinstance(added, RuleAdded)
    assert book.id == BOOK_ID == opened.originator_id
    assert (added.recorded_by, added.token_label, added.reason) == (
        "kommune-leipzig", "admin-token", "agreed with the DPO",
    )  # fmt: skip
    assert rule_of(added) == RULE


def test_a_rule_id_is_taken_for_good(book: RuleBook) -> None:
    refused(book, DuplicateRule, "add_rule", rule=RULE, reason="again")
    book.retire_rule(ADMIN, AT, rule_id=RULE.rule_id, reason="repealed")
    refused(book, DuplicateRule, "add_rule", rule=RULE, reason="back again")


@pytest.mark.parametrize("rule_id", ["Test", "x", "with space", "-dash-first", "a" * 64])
def test_a_rule_id_is_a_slug(book: RuleBook, rule_id: str) -> None:
    refused(book, NotASlug, "add_rule", rule=replace(RULE, rule_id=rule_id), reason="r")


@pytest.mark.parametrize("field", ["from_kinds", "to_kinds", "categories"])
def test_a_rule_names_kinds_on_both_sides_and_a_category(book: RuleBook, field: str) -> None:
    empty = replace(RULE, rule_id="empty", **{field: frozenset()})
    refused(book, EmptyRule, "add_rule", rule=empty, reason="r")


def test_a_rule_names_a_norm(book: RuleBook) -> None:
    blank = replace(RULE, rule_id="blank", norm=Norm(" ", "text"))
    refused(book, EmptyRule, "add_rule", rule=blank, reason="r")


def test_agency_kinds_are_the_contract_s(book: RuleBook) -> None:
    strange = replace(RULE, rule_id="strange", to_kinds=frozenset({"arbeitsagentur", "police"}))
    refused(book, UnknownAgencyKind, "add_rule", rule=strange, reason="r")
    refused(book, UnknownAgencyKind, "change_rule", rule=replace(RULE, from_kinds=frozenset({"x"})),
            reason="r")  # fmt: skip


def test_a_rule_ends_no_earlier_than_it_starts(book: RuleBook) -> None:
    reversed_days = replace(RULE, rule_id="reversed", valid_until=date(2025, 12, 31))
    refused(book, ValidityReversed, "add_rule", rule=reversed_days, reason="r")
    one_day = replace(RULE, rule_id="one-day", valid_until=RULE.valid_from)
    book.add_rule(ADMIN, AT, rule=one_day, reason="a single day")


def test_every_command_gives_a_reason(book: RuleBook) -> None:
    refused(book, NoReason, "add_rule", rule=replace(RULE, rule_id="other"), reason=" ")
    refused(book, NoReason, "change_rule", rule=replace(RULE, purpose=Purpose.COUNSELLING),
            reason="")  # fmt: skip
    refused(book, NoReason, "retire_rule", rule_id=RULE.rule_id, reason="\n")


def test_only_a_rule_in_the_book_changes_or_retires(book: RuleBook) -> None:
    refused(book, UnknownRule, "change_rule", rule=replace(RULE, rule_id="nope"), reason="r")
    refused(book, UnknownRule, "retire_rule", rule_id="nope", reason="r")


def test_a_retired_rule_neither_changes_nor_retires_again(book: RuleBook) -> None:
    book.retire_rule(ADMIN, AT, rule_id=RULE.rule_id, reason="repealed")
    refused(book, RuleIsRetired, "retire_rule", rule_id=RULE.rule_id, reason="again")
    refused(book, RuleIsRetired, "change_rule", rule=replace(RULE, valid_until=date(2027, 1, 1)),
            reason="r")  # fmt: skip


def test_a_change_changes_something(book: RuleBook) -> None:
    refused(book, InvalidRule, "change_rule", rule=RULE, reason="the same")


def test_a_change_ends_the_version_before_at_its_instant(book: RuleBook) -> None:
    changed_at = AT + timedelta(days=30)
    wider = replace(RULE, categories=frozenset({Category.EMPLOYMENT, Category.EDUCATION}))
    book.change_rule(ADMIN, changed_at, rule=wider, reason="the norm was amended")
    assert isinstance(book.collect_events()[-1], RuleChanged)
    statute = book.statute()
    assert statute.rules_at(changed_at - timedelta(microseconds=1)) == [RULE]
    assert statute.rules_at(changed_at) == [wider]
    assert [v.ended_at for v in statute.versions] == [changed_at, None]


def test_retirement_ends_the_rule_and_keeps_its_past(book: RuleBook) -> None:
    retired_at = AT + timedelta(days=30)
    book.retire_rule(ADMIN, retired_at, rule_id=RULE.rule_id, reason="repealed")
    assert isinstance(book.collect_events()[-1], RuleRetired)
    assert book.entries[RULE.rule_id].retired_at == retired_at
    assert book.statute().rules_at(retired_at) == []
    assert book.statute().rules_at(AT) == [RULE]


def test_replaying_the_history_gives_the_same_book(book: RuleBook) -> None:
    book.change_rule(ADMIN, AT + timedelta(days=1), rule=replace(RULE, valid_until=None,
                     purpose=Purpose.SOCIAL_BENEFITS), reason="r")  # fmt: skip
    book.retire_rule(ADMIN, AT + timedelta(days=2), rule_id=RULE.rule_id, reason="r")
    replayed = None
    for event in book.collect_events():
        replayed = event.mutate(replayed)
    assert isinstance(replayed, RuleBook)
    assert replayed.statute() == book.statute()


def test_the_starter_set_is_well_formed_and_recorded_as_law() -> None:
    started = starter_book(AT)
    events = started.collect_events()
    assert len(events) == 1 + len(STARTER_SET)
    assert all(e.recorded_by == "system" and e.token_label == "starter-set" for e in events)
    assert {e.reason for e in events if isinstance(e, RuleAdded)} == {"in force by law"}
    assert [r.rule_id for r in started.statute().rules_at(AT)] == sorted(
        r.rule_id for r in STARTER_SET
    )
    assert 3 <= len(STARTER_SET) <= 6
    assert all(rule.norm.citation and rule.norm.text for rule in STARTER_SET)
