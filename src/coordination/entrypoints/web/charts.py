"""Bar charts drawn on the server as SVG, each with the table of its figures beside it.

No script and no style attribute: the bars are rectangles placed by their attributes,
so the pages keep their content security policy. A suppressed figure (fewer people
than the statistics show) has no bar and is marked in the table.
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
AXIS = 28  # room under the bars for the month labels
GAP = 0.25  # of a slot, between bars


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | None  # None: suppressed
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    key: str  # the element ids' stem
    title: str
    unit: str
    bars: list[Bar]
    top: float  # the value a full-height bar stands for

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return HEIGHT


def bar_chart(
    key: str, title: str, unit: str, figures: Sequence[tuple[str, int | float | None]]
) -> Chart:
    """One bar per (label, value), scaled to the largest value shown."""
    top = max((v for _, v in figures if v is not None), default=0) or 1
    slot = WIDTH / max(len(figures), 1)
    room = HEIGHT - AXIS
    bars = []
    for index, (label, value) in enumerate(figures):
        tall = room * (value or 0) / top
        bars.append(Bar(label, value, index * slot + slot * GAP / 2, room - tall,
                        slot * (1 - GAP), tall))  # fmt: skip
    return Chart(key, title, unit, bars, top)
