"""Merging: a case recorded for a person another case already records is merged into
that one (ADR 0061). The merged case points to the surviving one and is closed; both
histories stay as they were recorded, and each case's consents keep covering exactly
what they were given for: nothing of one case is copied into the other."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, ClassVar

from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.rules import CaseRules, Survivor
from coordination.domain.values import CaseId, Supplied, Text


def _nowhere(case_id: str) -> Survivor:
    return Survivor(case_id, readable=False)


class CaseMerged(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.LEAD,
        label=Label("Fall zusammengeführt", "case merged"), sealed=("reason",),
        on_closed_case=True,
        example={"into_case_id": "0b7e4f2a-5c1d-4e8a-9f3b-6a2d1c0e9b87",
                 "reason": "the same person as the foreigners authority's case; she agreed"},
    )  # fmt: skip

    into_case_id: str
    reason: str

    def apply(self, case: CaseRules) -> None:
        case.merged_into = self.into_case_id
        case.closed = True


class Merging(CasePart):
    @records(CaseMerged)
    def merge(
        self, by: Actor, at: datetime, *, into_case_id: CaseId, reason: Text,
        survivor: Annotated[Callable[[str], Survivor], Supplied] = _nowhere,
    ) -> None:  # fmt: skip
        """The lead agency merges this case into another of the same person, once the
        person's consent lets it read that one."""
        self.check_may_record(CaseMerged)
        self.check_is_lead(by)
        self.check_not_merged(str(self.id))
        self.check_may_merge_into(str(self.id), survivor(into_case_id))
        self._record(CaseMerged, by, at, into_case_id=into_case_id, reason=reason)
