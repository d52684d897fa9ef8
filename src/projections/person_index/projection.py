"""Person index projection: a case's person encoded when it is opened, encoded again
when it is corrected, forgotten when the case is erased. It reads the person in the
clear, as the caseload does, and keeps only keyed encodings (ADR 0047, 0059).

A correction names only the fields it corrects, and the encoding of a name is salted
with the year of birth, so the person is encoded whole again: as the case held her at
the correction's version, read from the store (`person_at`), the same on a rebuild. The
reads happen in `prepare`, before the batch's transaction opens (runner.py)."""

from collections.abc import Callable, Mapping, Sequence
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from coordination.adapters.person_index import PersonEncoder, as_hex, born_on
from coordination.domain.case import (
    CaseErased,
    CaseMerged,
    CaseOpened,
    ExternalReferenceRecorded,
    PersonCorrected,
)
from projections.person_index.view import PersonIndexView


class PersonIndexProjection(Projection[PersonIndexView]):
    name = "person_index"

    def __init__(
        self, view: PersonIndexView, encoder: PersonEncoder,
        person_at: Callable[[UUID, int], Mapping[str, Any]],
    ) -> None:  # fmt: skip
        super().__init__(view)
        self.encoder, self.person_at = encoder, person_at
        self._corrected: dict[tuple[UUID, int], Mapping[str, Any]] = {}

    def prepare(self, events: Sequence[Any]) -> None:
        """The person as each correction of the batch left her."""
        self._corrected = {
            (e.originator_id, e.originator_version): self.person_at(
                e.originator_id, e.originator_version
            )
            for e in events
            if isinstance(e, PersonCorrected)
        }

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.apply(domain_event)

    @singledispatchmethod
    def apply(self, event: Any) -> None:
        """Other events change nothing the index holds."""

    @apply.register
    def _(self, e: CaseOpened) -> None:
        self._index(str(e.originator_id), e.person or {})

    @apply.register
    def _(self, e: PersonCorrected) -> None:
        key = (e.originator_id, e.originator_version)
        person = self._corrected.pop(key, None)
        self.view.unencoded(str(e.originator_id))  # encoded again, whole
        self._index(str(e.originator_id), person if person is not None else self.person_at(*key))

    def _index(self, case_id: str, person: Mapping[str, Any]) -> None:
        born = born_on(person.get("date_of_birth"))
        family = person.get("family_name")
        if born is None or not family:  # erased, or too little to find the person by
            return
        given, country = person.get("given_name") or "", person.get("nationality")
        encoded = self.encoder.encode(given, family, born, country)
        self.view.indexed(
            case_id, encoded.blocks, encoded.hex, as_hex(encoded.skeleton), encoded.nationality
        )

    @apply.register
    def _(self, e: ExternalReferenceRecorded) -> None:
        if e.reference is None:  # its part was erased
            return
        token = self.encoder.reference(e.recorded_by, e.scheme, e.reference)
        self.view.referenced(e.recorded_by, token, str(e.originator_id))

    @apply.register
    def _(self, e: CaseMerged) -> None:
        # Merged into another, the case records no one of its own any more; an agency's
        # file number still finds it, and it points to the case it went into.
        self.view.unencoded(str(e.originator_id))

    @apply.register
    def _(self, e: CaseErased) -> None:
        if getattr(e, "whole", True):
            self.view.removed(str(e.originator_id))
