"""The integration agreement (Integrationsvereinbarung) and its milestones, each the
responsibility of one agency: concluded, its milestones met, moved, added or cancelled,
the agreement reviewed at agreed dates and ended (its goals met, replaced, or broken
off). A cancelled milestone, and any still open when its agreement ends, is never
overdue."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from consent import Category, Purpose
from consent.record import LOCAL_TIME
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.flows import Flow
from coordination.domain.grounds import NO_STATUTE, Grounds
from coordination.domain.identity import Actor
from coordination.domain.parts import Agreement, Milestone
from coordination.domain.rules import CaseRules
from coordination.domain.values import (
    AgreementEndCode,
    Day,
    Items,
    MilestonePlan,
    ShortText,
    Slug,
    Supplied,
    Text,
)


class AgreementConcluded(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Integrationsvereinbarung", "integration agreement"),
        sealed=("milestones.title",),
        example={"signed_on": "2026-09-15",
                 "milestones": [{"title": "Integrationskurs begonnen", "due_on": "2026-11-01",
                                 "responsible_agency": "mbe-caritas-leipzig"}]},
        recorded={"agreement_id": "agreement-1"},
    )  # fmt: skip

    agreement_id: str
    signed_on: date
    milestones: list[dict[str, Any]]

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        # Each other agency responsible for a milestone receives the plan.
        owners = sorted({m["responsible_agency"] for m in data["milestones"]} - {recorded_by})
        return [Flow.of(o, Purpose.CASE_MANAGEMENT, [Category.INTEGRATION_PLAN]) for o in owners]

    def apply(self, case: CaseRules) -> None:
        agreement = Agreement(self.agreement_id, self.signed_on, self.recorded_by)
        for m in self.milestones:
            agreement.milestones[m["milestone_id"]] = Milestone(
                m["milestone_id"], m["title"], m["due_on"], m["responsible_agency"]
            )
        case.agreements[self.agreement_id] = agreement

    def relates(self) -> set[str]:
        return super().relates() | {m["responsible_agency"] for m in self.milestones}


class MilestoneMet(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Meilenstein erreicht", "milestone met"), sealed=("note",),
        example={"agreement_id": "agreement-1", "milestone_id": "milestone-1",
                 "met_on": "2026-10-30"}, recorded={"note": None},
    )  # fmt: skip

    agreement_id: str
    milestone_id: str
    met_on: date
    note: str | None

    def apply(self, case: CaseRules) -> None:
        milestone = case.agreements[self.agreement_id].milestones[self.milestone_id]
        milestone.met_on = self.met_on


class MilestoneRescheduled(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Meilenstein verschoben", "milestone rescheduled"), sealed=("reason",),
        example={"agreement_id": "agreement-1", "milestone_id": "milestone-1",
                 "due_on": "2026-12-01", "reason": "course start moved"},
    )  # fmt: skip

    agreement_id: str
    milestone_id: str
    due_on: date
    reason: str

    def apply(self, case: CaseRules) -> None:
        milestone = case.agreements[self.agreement_id].milestones[self.milestone_id]
        milestone.due_on = self.due_on


class MilestoneAdded(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Meilenstein ergänzt", "milestone added"), sealed=("title",),
        example={"agreement_id": "agreement-1", "title": "Anerkennungsantrag gestellt",
                 "due_on": "2027-01-15", "responsible_agency": "mbe-caritas-leipzig"},
        recorded={"milestone_id": "milestone-2"},
    )  # fmt: skip

    agreement_id: str
    milestone_id: str
    title: str
    due_on: date
    responsible_agency: str

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        owner = data["responsible_agency"]
        if owner == recorded_by:
            return []
        return [Flow.of(owner, Purpose.CASE_MANAGEMENT, [Category.INTEGRATION_PLAN])]

    def apply(self, case: CaseRules) -> None:
        case.agreements[self.agreement_id].milestones[self.milestone_id] = Milestone(
            self.milestone_id, self.title, self.due_on, self.responsible_agency
        )

    def relates(self) -> set[str]:
        return super().relates() | {self.responsible_agency}


class MilestoneCancelled(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Meilenstein gestrichen", "milestone cancelled"), sealed=("reason",),
        example={"agreement_id": "agreement-1", "milestone_id": "milestone-1",
                 "reason": "the course place is no longer needed: B1 reached elsewhere"},
    )  # fmt: skip

    agreement_id: str
    milestone_id: str
    reason: str

    def apply(self, case: CaseRules) -> None:
        milestone = case.agreements[self.agreement_id].milestones[self.milestone_id]
        milestone.cancelled_on = self.timestamp.astimezone(LOCAL_TIME).date()


class AgreementReviewed(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Vereinbarung überprüft", "agreement reviewed"), sealed=("outcome",),
        example={"agreement_id": "agreement-1", "reviewed_on": "2026-12-01",
                 "outcome": "course going well; recognition to be applied for",
                 "next_review_on": "2027-03-01"},
    )  # fmt: skip

    agreement_id: str
    reviewed_on: date
    outcome: str
    next_review_on: date | None

    def apply(self, case: CaseRules) -> None:
        case.agreements[self.agreement_id].next_review_on = self.next_review_on


class AgreementEnded(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Vereinbarung beendet", "agreement ended"), sealed=("reason",),
        example={"agreement_id": "agreement-1", "ended_on": "2027-09-30",
                 "how": "fulfilled"},
        recorded={"reason": None},
    )  # fmt: skip

    agreement_id: str
    ended_on: date
    how: str
    reason: str | None

    def apply(self, case: CaseRules) -> None:
        agreement = case.agreements[self.agreement_id]
        agreement.ended, agreement.ended_on = self.how, self.ended_on


class Agreements(CasePart):
    @records(AgreementConcluded)
    def conclude_agreement(
        self,
        by: Actor,
        at: datetime,
        *,
        signed_on: Day,
        milestones: Annotated[list[MilestonePlan], Items(least=1, most=50)],
        agreement_id: Slug | None = None,
        grounds: Annotated[Grounds, Supplied] = NO_STATUTE,
    ) -> str:
        self.check_may_record(AgreementConcluded)
        agreement_id = self.new_id("agreement", agreement_id)
        planned = self.with_milestone_ids(milestones, taken={agreement_id})
        self._record(
            AgreementConcluded, by, at, grounds,
            agreement_id=agreement_id, signed_on=signed_on, milestones=planned,
        )  # fmt: skip
        return agreement_id

    @records(MilestoneMet)
    def meet_milestone(
        self,
        by: Actor,
        at: datetime,
        *,
        agreement_id: Slug,
        milestone_id: Slug,
        met_on: Day,
        note: Text | None = None,
    ) -> None:
        self.check_milestone_open(agreement_id, milestone_id)
        self._record(
            MilestoneMet, by, at,
            agreement_id=agreement_id, milestone_id=milestone_id, met_on=met_on, note=note,
        )  # fmt: skip

    @records(MilestoneRescheduled)
    def reschedule_milestone(
        self,
        by: Actor,
        at: datetime,
        *,
        agreement_id: Slug,
        milestone_id: Slug,
        due_on: Day,
        reason: Text,
    ) -> None:
        self.check_milestone_open(agreement_id, milestone_id)
        self._record(
            MilestoneRescheduled, by, at,
            agreement_id=agreement_id, milestone_id=milestone_id, due_on=due_on, reason=reason,
        )  # fmt: skip

    @records(MilestoneAdded)
    def add_milestone(
        self, by: Actor, at: datetime, *, agreement_id: Slug, title: ShortText, due_on: Day,
        responsible_agency: Slug, milestone_id: Slug | None = None,
        grounds: Annotated[Grounds, Supplied] = NO_STATUTE,
    ) -> None:  # fmt: skip
        self.check_may_record(MilestoneAdded)
        self.check_agreement_running(agreement_id)
        milestone_id = self.new_id("milestone", milestone_id)
        self._record(
            MilestoneAdded, by, at, grounds, agreement_id=agreement_id,
            milestone_id=milestone_id, title=title, due_on=due_on,
            responsible_agency=responsible_agency,
        )  # fmt: skip

    @records(MilestoneCancelled)
    def cancel_milestone(
        self, by: Actor, at: datetime, *, agreement_id: Slug, milestone_id: Slug, reason: Text
    ) -> None:
        self.check_may_record(MilestoneCancelled)
        self.check_milestone_open(agreement_id, milestone_id)
        self._record(MilestoneCancelled, by, at, agreement_id=agreement_id,
                     milestone_id=milestone_id, reason=reason)  # fmt: skip

    @records(AgreementReviewed)
    def review_agreement(
        self, by: Actor, at: datetime, *, agreement_id: Slug, reviewed_on: Day, outcome: Text,
        next_review_on: Day | None = None,
    ) -> None:  # fmt: skip
        self.check_may_record(AgreementReviewed)
        self.check_agreement_running(agreement_id)
        self.check_not_before(next_review_on, reviewed_on, "the next review")
        self._record(AgreementReviewed, by, at, agreement_id=agreement_id,
                     reviewed_on=reviewed_on, outcome=outcome,
                     next_review_on=next_review_on)  # fmt: skip

    @records(AgreementEnded)
    def end_agreement(
        self, by: Actor, at: datetime, *, agreement_id: Slug, ended_on: Day,
        how: AgreementEndCode, reason: Text | None = None,
    ) -> None:  # fmt: skip
        self.check_may_record(AgreementEnded)
        self.check_agreement_running(agreement_id)
        self._record(AgreementEnded, by, at, agreement_id=agreement_id, ended_on=ended_on,
                     how=how, reason=reason)  # fmt: skip
