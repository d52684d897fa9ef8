"""The integration agreement (Integrationsvereinbarung), binding on both sides ("Fordern
und Fördern"): concluded after counselling by an agency with the person and the agencies
that sign it, recording what the person brings and needs and the obligations of each
side, each owned by the person or an agency, with a due date. The person acknowledges it
by signing, in a language, a copy handed over. Obligations are met, moved, added or
cancelled; the agreement is reviewed at agreed dates and ended (its goals met, replaced,
or broken off). A cancelled obligation, and any still open when its agreement ends, is
never overdue. Health-related needs are recorded apart, read under `health` only.

The contract calls an obligation a milestone."""

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
    BringsDetails,
    Day,
    Items,
    LanguageCode,
    MilestonePlan,
    NeedCode,
    PlanAreaCode,
    ShortText,
    Side,
    SideCode,
    Slug,
    Supplied,
    Text,
)


def _plan_flows(recorded_by: str, agencies: set[str]) -> list[Flow]:
    """Each other agency that signs or follows up an obligation receives the plan."""
    return [Flow.of(a, Purpose.CASE_MANAGEMENT, [Category.INTEGRATION_PLAN])
            for a in sorted(agencies - {recorded_by})]  # fmt: skip


def _milestone(m: Mapping[str, Any]) -> Milestone:
    # Obligations stored before the person could own one are their agency's.
    return Milestone(m["milestone_id"], m["title"], m["due_on"], m["responsible_agency"],
                     owner=m.get("owner") or Side.AGENCY, area=m.get("area"))  # fmt: skip


class AgreementConcluded(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Integrationsvereinbarung", "integration agreement"),
        sealed=("milestones.title", "brings", "needs"),
        example={"signed_on": "2026-09-15", "parties": ["jobcenter-leipzig"],
                 "brings": {"language_level": "A2",
                            "summary": "Arabic, English; nurse, 6 years in Aleppo"},
                 "needs": ["language_course", "recognition", "childcare"],
                 "milestones": [{"title": "Integrationskurs besuchen", "due_on": "2026-11-01",
                                 "responsible_agency": "mbe-caritas-leipzig",
                                 "owner": "person", "area": "language"},
                                {"title": "Kita-Platz vermitteln", "due_on": "2026-10-15",
                                 "responsible_agency": "jobcenter-leipzig",
                                 "owner": "agency", "area": "education"}]},
        recorded={"agreement_id": "agreement-1"},
    )  # fmt: skip
    # 2: the signing agencies, what the person brings and needs, and each obligation's
    # owner and plan area.
    class_version: ClassVar[int] = 2

    agreement_id: str
    signed_on: date
    milestones: list[dict[str, Any]]
    parties: list[str]
    brings: dict[str, Any] | None
    needs: list[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.update(parties=[], brings=None, needs=[])

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        owners = {m["responsible_agency"] for m in data["milestones"]}
        return _plan_flows(recorded_by, owners | set(data.get("parties") or ()))

    def apply(self, case: CaseRules) -> None:
        agreement = Agreement(self.agreement_id, self.signed_on, self.recorded_by,
                              parties=list(self.parties))  # fmt: skip
        for m in self.milestones:
            agreement.milestones[m["milestone_id"]] = _milestone(m)
        case.agreements[self.agreement_id] = agreement

    def relates(self) -> set[str]:
        owners = {m["responsible_agency"] for m in self.milestones}
        return super().relates() | owners | set(self.parties)


class AgreementAcknowledged(Event):
    """The person signed the agreement as it stands: on a day, in a language they read,
    and whether they were handed a copy."""

    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.INTEGRATION_PLAN, recorded_by=Recorder.RELATED,
        label=Label("Vereinbarung unterschrieben", "agreement signed by the person"),
        sealed=("language",),
        example={"agreement_id": "agreement-1", "signed_on": "2026-09-15", "language": "ar",
                 "copy_handed_over": True},
    )  # fmt: skip

    agreement_id: str
    signed_on: date
    language: str
    copy_handed_over: bool

    def apply(self, case: CaseRules) -> None:
        case.agreements[self.agreement_id].acknowledged_on = self.signed_on


class HealthNeedsRecorded(Event):
    """Health-related needs the agreement takes into account: a special category of
    personal data (Art. 9 GDPR), so recorded apart and read only under `health`."""

    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.HEALTH, recorded_by=Recorder.RELATED,
        label=Label("Gesundheitlicher Bedarf erfasst", "health-related needs recorded"),
        sealed=("needs",),
        example={"agreement_id": "agreement-1",
                 "needs": "course with breaks: back pain after an injury"},
    )  # fmt: skip

    agreement_id: str
    needs: str

    def apply(self, case: CaseRules) -> None:
        pass  # nothing a rule needs: the history keeps it


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
        label=Label("Meilenstein ergänzt", "milestone added"), sealed=("title", "reason"),
        example={"agreement_id": "agreement-1", "title": "Anerkennungsantrag stellen",
                 "due_on": "2027-01-15", "responsible_agency": "mbe-caritas-leipzig",
                 "owner": "person", "area": "work",
                 "reason": "review: the nursing diploma is to be recognised"},
        recorded={"milestone_id": "milestone-2"},
    )  # fmt: skip
    # 2: whose obligation it is, its plan area, and why it was added.
    class_version: ClassVar[int] = 2

    agreement_id: str
    milestone_id: str
    title: str
    due_on: date
    responsible_agency: str
    owner: str
    area: str | None
    reason: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.update(owner=Side.AGENCY, area=None, reason=None)

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        return _plan_flows(recorded_by, {data["responsible_agency"]})

    def apply(self, case: CaseRules) -> None:
        milestone = _milestone(vars(self))
        case.agreements[self.agreement_id].milestones[self.milestone_id] = milestone

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
        parties: Annotated[list[Slug], Items(most=20)] | None = None,
        brings: BringsDetails | None = None,
        needs: Annotated[list[NeedCode], Items(most=10)] | None = None,
        agreement_id: Slug | None = None,
        grounds: Annotated[Grounds, Supplied] = NO_STATUTE,
    ) -> str:
        """`parties`: the agencies besides the concluding one that sign it, committing to
        their offers; the person is always a party and signs it (`acknowledge_agreement`)."""
        self.check_may_record(AgreementConcluded)
        agreement_id = self.new_id("agreement", agreement_id)
        planned = self.with_milestone_ids(milestones, taken={agreement_id})
        self._record(
            AgreementConcluded, by, at, grounds,
            agreement_id=agreement_id, signed_on=signed_on,
            milestones=[{**m, "owner": m.get("owner") or Side.AGENCY} for m in planned],
            parties=sorted(set(parties or ()) - {by.agency}), brings=brings,
            needs=sorted(set(needs or ())),
        )  # fmt: skip
        return agreement_id

    @records(AgreementAcknowledged)
    def acknowledge_agreement(
        self, by: Actor, at: datetime, *, agreement_id: Slug, signed_on: Day,
        language: LanguageCode, copy_handed_over: bool,
    ) -> None:  # fmt: skip
        self.check_may_record(AgreementAcknowledged)
        self.check_agreement_running(agreement_id)
        self.check_not_before(signed_on, self.agreements[agreement_id].signed_on, "the signature")
        self._record(AgreementAcknowledged, by, at, agreement_id=agreement_id,
                     signed_on=signed_on, language=language,
                     copy_handed_over=copy_handed_over)  # fmt: skip

    @records(HealthNeedsRecorded)
    def record_health_needs(
        self, by: Actor, at: datetime, *, agreement_id: Slug, needs: Text
    ) -> None:
        self.check_may_record(HealthNeedsRecorded)
        self.check_agreement_running(agreement_id)
        self._record(HealthNeedsRecorded, by, at, agreement_id=agreement_id, needs=needs)

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
        responsible_agency: Slug, owner: SideCode = Side.AGENCY,
        area: PlanAreaCode | None = None, reason: Text | None = None,
        milestone_id: Slug | None = None, grounds: Annotated[Grounds, Supplied] = NO_STATUTE,
    ) -> None:  # fmt: skip
        self.check_may_record(MilestoneAdded)
        self.check_agreement_running(agreement_id)
        milestone_id = self.new_id("milestone", milestone_id)
        self._record(
            MilestoneAdded, by, at, grounds, agreement_id=agreement_id,
            milestone_id=milestone_id, title=title, due_on=due_on,
            responsible_agency=responsible_agency, owner=owner, area=area, reason=reason,
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
