"""A flow: data an event sends to another agency, declared once on the event's class.

The command that records the event checks that each flow rests on a basis before the
event exists; the consent trail replays the same flows to name that basis afterwards.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from consent import Category, Purpose


@dataclass(frozen=True)
class Flow:
    """Data an event sends to another agency: to whom, for what, which categories."""

    recipient: str
    purpose: Purpose
    categories: tuple[Category, ...]

    @classmethod
    def of(cls, recipient: str, purpose: str, categories: Iterable[str]) -> "Flow":
        return cls(recipient, Purpose(purpose), tuple(sorted(Category(c) for c in categories)))
