"""Small-cell suppression: no figure may rest on fewer than MIN_PEOPLE people.

A cell is one measure (or one part of a measure's breakdown) for one
municipality and month. It carries two counts, people (distinct cases) and
events, and is shown only when at least MIN_PEOPLE people are in it; an empty
cell is suppressed like a small one, so the two cannot be told apart.
"""

from dataclasses import dataclass, replace
from statistics import median

MIN_PEOPLE = 5


@dataclass(frozen=True)
class Cell:
    measure: str
    detail: str | None  # the part of a breakdown (a course result, on_time/late); None: total
    people: int | None
    events: int | None

    @property
    def suppressed(self) -> bool:
        return self.people is None


@dataclass(frozen=True)
class Median:
    days: float | None

    @property
    def suppressed(self) -> bool:
        return self.days is None


def cell(measure: str, detail: str | None, people: int, events: int) -> Cell:
    if people < MIN_PEOPLE:
        return Cell(measure, detail, None, None)
    return Cell(measure, detail, people, events)


def median_days(accepted: Cell, days: list[int]) -> Median:
    """The median rests on the accepted referrals' people: shown only with their cell."""
    if accepted.suppressed or not days:
        return Median(None)
    return Median(float(median(days)))


def protect_breakdown(total: Cell, parts: list[Cell]) -> list[Cell]:
    """A shown total minus its shown parts gives away a lone suppressed part, so
    the smallest shown part is suppressed with it (secondary suppression)."""
    hidden = [p for p in parts if p.suppressed]
    shown = [p for p in parts if not p.suppressed]
    if total.suppressed or len(hidden) != 1 or not shown:
        return parts
    smallest = min(shown, key=lambda p: (p.people or 0, p.events or 0))
    return [replace(p, people=None, events=None) if p is smallest else p for p in parts]
