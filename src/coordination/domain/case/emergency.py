"""Emergency access (break-glass): where a person's vital interests are at stake, a
caseworker of an agency related to the case opens its withheld parts to her agency for
a limited time, stating why (Art. 6 Abs. 1 lit. d, Art. 9 Abs. 2 lit. c GDPR). Every
read under it is logged with it as the basis; the DPO sees it, with its justification,
in the overview and the consent trail, and the person in their report."""

from datetime import datetime, timedelta
from typing import Annotated, ClassVar

from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.parts import EmergencyAccess
from coordination.domain.policy import DEFAULT_POLICY, Policy
from coordination.domain.rules import CaseRules
from coordination.domain.values import Slug, Supplied, Text


class EmergencyAccessOpened(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.RELATED,
        label=Label("Notfallzugriff geöffnet", "emergency access opened"),
        sealed=("justification",),
        example={"justification": "collapsed at the counselling office; the emergency "
                                  "doctor asks for known illnesses and next of kin"},
        recorded={"access_id": "emergency-1", "until": "2026-09-02T09:00:00Z"},
    )  # fmt: skip

    access_id: str
    justification: str
    until: datetime

    def apply(self, case: CaseRules) -> None:
        case.emergencies[self.access_id] = EmergencyAccess(
            self.access_id, self.recorded_by, self.timestamp, self.until
        )


class EmergencyAccessEnded(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.RELATED,
        label=Label("Notfallzugriff beendet", "emergency access ended"),
        on_closed_case=True, example={"access_id": "emergency-1"},
    )  # fmt: skip

    access_id: str

    def apply(self, case: CaseRules) -> None:
        case.emergencies[self.access_id].ended_at = self.timestamp


class Emergencies(CasePart):
    @records(EmergencyAccessOpened)
    def open_emergency_access(
        self,
        by: Actor,
        at: datetime,
        *,
        justification: Text,
        access_id: Slug | None = None,
        policy: Annotated[Policy, Supplied] = DEFAULT_POLICY,
    ) -> str:
        self.check_no_emergency_open(by, at)
        access_id = self.new_id("emergency", access_id)
        self._record(
            EmergencyAccessOpened, by, at,
            access_id=access_id, justification=justification,
            until=at + timedelta(hours=policy.emergency_hours),
        )  # fmt: skip
        return access_id

    @records(EmergencyAccessEnded)
    def end_emergency_access(self, by: Actor, at: datetime, *, access_id: Slug) -> None:
        self.check_emergency_ends(by, access_id, at)
        self._record(EmergencyAccessEnded, by, at, access_id=access_id)
