"""Small-cell suppression, medians and month ranges, without a store."""

from projections.statistics.query import months
from projections.statistics.suppression import Cell, cell, median_days, protect_breakdown


def test_a_cell_needs_five_people_however_many_events() -> None:
    assert cell("x", None, 4, 40) == Cell("x", None, None, None)
    assert cell("x", None, 0, 0).suppressed
    assert cell("x", None, 5, 5) == Cell("x", None, 5, 5)


def test_a_lone_suppressed_part_takes_the_smallest_shown_part_with_it() -> None:
    total = cell("m", None, 17, 17)
    parts = [cell("m", "on_time", 7, 7), cell("m", "late", 3, 3), cell("m", "early", 6, 6)]
    protected = protect_breakdown(total, parts)
    assert [p.people for p in protected] == [7, None, None]


def test_two_suppressed_parts_need_no_more() -> None:
    total = cell("m", None, 9, 9)
    parts = [cell("m", "a", 5, 5), cell("m", "b", 3, 3), cell("m", "c", 1, 1)]
    assert protect_breakdown(total, parts) == parts


def test_a_suppressed_total_leaves_its_parts_as_they_are() -> None:
    parts = [cell("m", "a", 2, 2), cell("m", "b", 0, 0)]
    assert protect_breakdown(cell("m", None, 2, 2), parts) == parts


def test_the_median_is_shown_only_with_its_cell() -> None:
    assert median_days(cell("a", None, 5, 6), [1, 9, 3, 4, 2, 8]).days == 3.5
    assert median_days(cell("a", None, 4, 4), [1, 2, 3, 4]).suppressed


def test_months_run_across_the_turn_of_the_year() -> None:
    assert months("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert months("2026-03", "2026-02") == []
