"""What of a case is one controller's processing (ADR 0042): the steps its agencies
took on the case, and whether it holds the case's opening."""

from collections.abc import Callable
from dataclasses import dataclass, field

from coordination.domain.case import Case

ControllerOf = Callable[[str], str | None]


@dataclass(frozen=True)
class Processing:
    controller: str
    agencies: frozenset[str]  # its agencies that opened the case or are related to it
    opened: bool  # one of them opened the case: the case's first key is its part
    owner: Callable[[str], str] = field(compare=False, repr=False)

    @property
    def any(self) -> bool:
        return bool(self.agencies)

    def touches(self, *agencies: str | None) -> bool:
        """One of the agencies of a step (sender, recipient, reader, recorder) is its."""
        return any(self.owner(a) == self.controller for a in agencies if a is not None)


def processing(case: Case, controller: str, controller_of: ControllerOf) -> Processing:
    def owner(agency_id: str) -> str:
        # An agency the directory does not know answers to the case's municipality, as
        # every agency did before controllers.
        return controller_of(agency_id) or case.municipality

    related = case.involved | {case.opened_by}
    mine = frozenset(a for a in related if owner(a) == controller)
    return Processing(controller, mine, owner(case.opened_by) == controller, owner)


def other_parts(case: Case, controller: str, controller_of: ControllerOf) -> set[str]:
    """The controllers besides `controller` with a part in the case not yet erased."""
    related = case.involved | {case.opened_by}
    owners = {controller_of(a) or case.municipality for a in related}
    return owners - {controller} - case.erased_parts.keys()
