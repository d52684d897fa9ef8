"""What every event of a case carries, and what every part of the case shares."""

from collections.abc import Mapping
from dataclasses import KW_ONLY
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from coordination.domain.declaration import Declaration
from coordination.domain.flows import Flow
from coordination.domain.grounds import NO_STATUTE, Grounds
from coordination.domain.identity import Actor
from coordination.domain.rules import CaseRules


class Event(Aggregate.Event):
    """An event on a case after its opening: who recorded it, through which token, and
    which person, when one signed in to the web app recorded it (their pseudonymous id;
    events stored before it was kept read it as empty)."""

    declared: ClassVar[Declaration]
    # Recording an event relates the agency to the case for good; an erasure does not.
    relates_recorder: ClassVar[bool] = True

    recorded_by: str
    token_label: str
    _: KW_ONLY
    user: str = ""

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        """The data an event of this type with `data` sends to other agencies."""
        return []

    def relates(self) -> set[str]:
        """The agencies this event relates to the case for good: its recorder (not an
        erasing one), and those it names (recipients, a provider, a new lead). The case
        and the change feed's members both follow it."""
        return {self.recorded_by} if self.relates_recorder else set()

    def mutate(self, aggregate: Any) -> Any:
        case = super().mutate(aggregate)
        assert case is not None
        case.involved |= self.relates()
        return case


class CasePart(CaseRules):
    """A part of the case (consents, referrals, …): its commands check the case's rules,
    then record one event each."""

    if TYPE_CHECKING:  # given by the aggregate (eventsourcing's Aggregate)
        id: UUID
        version: int

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

    def _record(
        self, event_class: type[Event], by: Actor, at: datetime, grounds: Grounds = NO_STATUTE,
        **data: Any,
    ) -> None:  # fmt: skip
        """Records one event, once every flow it would make rests on a basis."""
        self.check_may_record(event_class)
        self.check_part_not_erased(by)
        for flow in event_class.flows(by.agency, data):
            self.check_flow_founded(by, flow, at, grounds)
        self.trigger_event(
            event_class, timestamp=at, recorded_by=by.agency, token_label=by.token_label,
            user=by.user, **data,
        )  # fmt: skip
