"""The statute as data: rules in force by German calendar day, a book that answers as it
stood at any instant, and which categories a rule covers in which direction."""

from dataclasses import replace
from datetime import UTC, date, datetime

from consent import (
    EMPTY_STATUTE,
    Category,
    Norm,
    Purpose,
    RuleVersion,
    Statute,
    StatutoryRule,
)

NORM = Norm("§ 88a Abs. 1 AufenthG", "integration-course data to BAMF")
COURSE = StatutoryRule(
    rule_id="course-data", from_kinds=frozenset({"sprachkurstraeger", "jobcenter"}),
    to_kinds=frozenset({"bamf"}), categories=frozenset({Category.IDENTITY, Category.LANGUAGE}),
    purpose=Purpose.LANGUAGE_COURSE, norm=NORM, valid_from=date(2026, 7, 1),
    valid_until=date(2026, 12, 31),
)  # fmt: skip
PLACEMENT = StatutoryRule(
    rule_id="placement", from_kinds=frozenset({"jobcenter"}),
    to_kinds=frozenset({"arbeitsagentur"}),
    categories=frozenset({Category.IDENTITY, Category.EMPLOYMENT}),
    purpose=Purpose.JOB_PLACEMENT, norm=Norm("§ 69 Abs. 1 Nr. 1 SGB X", "social data"),
    valid_from=date(2026, 1, 1), valid_until=None,
)  # fmt: skip
RECORDED = datetime(2026, 1, 1, tzinfo=UTC)
LATER = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def book(*versions: RuleVersion) -> Statute:
    return Statute(versions)


def held(rule: StatutoryRule, ended_at: datetime | None = None) -> RuleVersion:
    return RuleVersion(rule, RECORDED, ended_at)


def test_a_rule_starts_at_midnight_in_germany_on_its_first_day() -> None:
    # 1 July 00:00 in Berlin (summer time) is 30 June 22:00 UTC.
    assert not COURSE.in_force(datetime(2026, 6, 30, 21, 59, tzinfo=UTC))
    assert COURSE.in_force(datetime(2026, 6, 30, 22, 0, tzinfo=UTC))


def test_a_rule_holds_through_the_whole_of_its_last_day_in_germany() -> None:
    # 31 December 24:00 in Berlin (winter time) is 31 December 23:00 UTC.
    assert COURSE.in_force(datetime(2026, 12, 31, 22, 59, tzinfo=UTC))
    assert not COURSE.in_force(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))


def test_a_rule_without_a_last_day_stays_in_force() -> None:
    assert PLACEMENT.in_force(datetime(2099, 1, 1, tzinfo=UTC))


def test_the_book_holds_a_rule_only_from_when_it_was_recorded() -> None:
    statute = book(RuleVersion(PLACEMENT, LATER, None))
    assert statute.rules_at(LATER.replace(hour=8)) == []
    assert statute.rules_at(LATER) == [PLACEMENT]


def test_rules_in_force_are_listed_by_id_and_others_left_out() -> None:
    statute = book(held(PLACEMENT), held(COURSE))
    assert statute.rules_at(LATER) == [COURSE, PLACEMENT]
    assert statute.rules_at(datetime(2026, 3, 1, tzinfo=UTC)) == [PLACEMENT]  # before July
    assert EMPTY_STATUTE.rules_at(LATER) == []


def test_retirement_ends_a_rule_at_its_instant_and_not_before() -> None:
    retired_at = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    statute = book(held(COURSE, ended_at=retired_at))
    assert statute.rules_at(retired_at.replace(hour=11)) == [COURSE]
    assert statute.rules_at(retired_at) == []


def test_a_retired_rule_still_answers_for_instants_before_its_retirement() -> None:
    statute = book(held(COURSE, ended_at=datetime(2026, 10, 1, tzinfo=UTC)))
    wanted = [Category.LANGUAGE]
    before = statute.covering("jobcenter", "bamf", Purpose.LANGUAGE_COURSE, wanted, LATER)
    assert before == {Category.LANGUAGE: COURSE}
    after = datetime(2026, 11, 1, tzinfo=UTC)
    assert statute.covering("jobcenter", "bamf", Purpose.LANGUAGE_COURSE, wanted, after) == {}


def test_a_change_ends_one_version_and_starts_the_next_at_one_instant() -> None:
    changed_at = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    narrower = replace(COURSE, categories=frozenset({Category.LANGUAGE}))
    statute = book(held(COURSE, ended_at=changed_at), RuleVersion(narrower, changed_at, None))
    assert statute.rules_at(changed_at.replace(hour=11)) == [COURSE]
    assert statute.rules_at(changed_at) == [narrower]
    asked = [Category.IDENTITY, Category.LANGUAGE]
    now = statute.covering("jobcenter", "bamf", Purpose.LANGUAGE_COURSE, asked, changed_at)
    assert now == {Category.LANGUAGE: narrower}


def test_covering_names_only_the_categories_a_rule_covers() -> None:
    statute = book(held(COURSE))
    asked = [Category.IDENTITY, Category.HEALTH, Category.LANGUAGE, Category.LANGUAGE]
    covered = statute.covering("sprachkurstraeger", "bamf", Purpose.LANGUAGE_COURSE, asked, LATER)
    assert covered == {Category.IDENTITY: COURSE, Category.LANGUAGE: COURSE}


def test_covering_needs_the_rule_s_direction_and_purpose() -> None:
    statute = book(held(COURSE))
    asked = [Category.LANGUAGE]
    assert statute.covering("bamf", "jobcenter", Purpose.LANGUAGE_COURSE, asked, LATER) == {}
    assert statute.covering("jobcenter", "bamf", Purpose.JOB_PLACEMENT, asked, LATER) == {}
    assert statute.covering("kommune", "bamf", Purpose.LANGUAGE_COURSE, asked, LATER) == {}


def test_the_first_rule_by_id_answers_for_a_category_whatever_the_order_recorded() -> None:
    also = replace(COURSE, rule_id="a-course-rule", norm=Norm("§ 8 IntV", "registration"))
    for versions in ((held(COURSE), held(also)), (held(also), held(COURSE))):
        covered = Statute(versions).covering(
            "jobcenter", "bamf", Purpose.LANGUAGE_COURSE, [Category.LANGUAGE], LATER
        )
        assert covered == {Category.LANGUAGE: also}


def test_readable_goes_from_the_recorder_s_kind_to_the_reader_s_kind_only() -> None:
    statute = book(held(PLACEMENT), held(COURSE))
    assert statute.readable("jobcenter", "arbeitsagentur", LATER) == {
        Category.IDENTITY: PLACEMENT, Category.EMPLOYMENT: PLACEMENT,
    }  # fmt: skip
    assert statute.readable("arbeitsagentur", "jobcenter", LATER) == {}
    assert statute.readable("jobcenter", "bamf", LATER) == {
        Category.IDENTITY: COURSE, Category.LANGUAGE: COURSE,
    }  # fmt: skip


def test_readable_for_a_purpose_only_counts_that_purpose_s_rules() -> None:
    statute = book(held(PLACEMENT), held(COURSE))
    assert statute.readable("jobcenter", "bamf", LATER, Purpose.JOB_PLACEMENT) == {}
    assert set(statute.readable("jobcenter", "bamf", LATER, Purpose.LANGUAGE_COURSE)) == {
        Category.IDENTITY, Category.LANGUAGE,
    }  # fmt: skip


def test_a_rule_is_named_as_the_book_held_it_at_the_time() -> None:
    amended = replace(COURSE, norm=Norm("§ 88a Abs. 1 Satz 1 AufenthG", "amended wording"))
    statute = book(held(COURSE, ended_at=LATER), RuleVersion(amended, LATER, None))

    before = statute.rule("course-data", datetime(2026, 8, 1, tzinfo=UTC))
    after = statute.rule("course-data", LATER)

    assert before is not None
    assert before.norm == NORM
    assert after == amended
    assert statute.rule("course-data", datetime(2025, 1, 1, tzinfo=UTC)) == COURSE
    assert statute.rule("no-such-rule", LATER) is None
