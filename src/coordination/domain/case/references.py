"""External references: an agency attaches its own file number to a case (an authority's
Aktenzeichen, the job centre's BA customer number, the AZR number), so its own systems
and people find the case by it (ADR 0062). Only that agency reads it; it is sealed, and
the person index keeps a keyed token of it, never the number."""

from datetime import datetime
from typing import ClassVar

from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.values import ReferenceSchemeCode, ShortText


class ExternalReferenceRecorded(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.OWN, recorded_by=Recorder.RELATED,
        label=Label("Eigenes Aktenzeichen hinterlegt", "own file number recorded"),
        sealed=("reference",),
        example={"scheme": "ba_kundennummer", "reference": "123D456789"},
    )  # fmt: skip

    scheme: str
    reference: str


class References(CasePart):
    @records(ExternalReferenceRecorded)
    def record_reference(
        self, by: Actor, at: datetime, *, scheme: ReferenceSchemeCode, reference: ShortText
    ) -> None:
        """A newer number of the same scheme stands beside the older one: both find it."""
        self.check_may_record(ExternalReferenceRecorded)
        self._record(ExternalReferenceRecorded, by, at, scheme=scheme, reference=reference)
