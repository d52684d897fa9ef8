"""Person index projection: a case's person encoded when it is opened, forgotten when
the case is erased. It reads the person in the clear, as the caseload does, and keeps
only keyed encodings (ADR 0047)."""

from datetime import date
from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from coordination.adapters.person_index import PersonEncoder
from coordination.domain.case import CaseErased, CaseOpened
from projections.person_index.view import PersonIndexView


class PersonIndexProjection(Projection[PersonIndexView]):
    name = "person_index"

    def __init__(self, view: PersonIndexView, encoder: PersonEncoder) -> None:
        super().__init__(view)
        self.encoder = encoder

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.apply(domain_event)

    @singledispatchmethod
    def apply(self, event: Any) -> None:
        """Other events change nothing the index holds."""

    @apply.register
    def _(self, e: CaseOpened) -> None:
        person = e.person or {}
        born = _day(person.get("date_of_birth"))
        family = person.get("family_name")
        if born is None or not family:  # erased, or too little to find the person by
            return
        encoded = self.encoder.encode(person.get("given_name") or "", family, born)
        self.view.indexed(str(e.originator_id), encoded.blocks, encoded.hex)

    @apply.register
    def _(self, e: CaseErased) -> None:
        if getattr(e, "whole", True):
            self.view.removed(str(e.originator_id))


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
