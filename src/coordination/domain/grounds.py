"""What a case's rules need to know beyond the case itself: the statutory rule book as
it stands, and the kind of each agency (a rule speaks of kinds: a foreigners authority,
a course provider). The application supplies it to the commands that disclose data."""

from collections.abc import Callable
from dataclasses import dataclass, field

from consent import EMPTY_STATUTE, Statute


def kind_unknown(agency_id: str) -> str:
    return ""  # no rule names the empty kind


@dataclass(frozen=True)
class Grounds:
    statute: Statute = EMPTY_STATUTE
    kind_of: Callable[[str], str] = field(default=kind_unknown)


NO_STATUTE = Grounds()
