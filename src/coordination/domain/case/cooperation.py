"""The job centre's cooperation plan (Kooperationsplan, § 15 SGB II since 1 July 2023):
agreed with the person after the potential analysis, reviewed at the latest every six
months. The other agencies coordinate by its dates; its goals, in the plan's plain
language, are sealed, and the plan itself stays in the job centre's file. The case
holds the day the plan in force was agreed: a review needs one, not before that day
(ADR 0065)."""

from datetime import date, datetime
from typing import ClassVar

from consent import Category
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.rules import CaseRules
from coordination.domain.values import Day, Text


class CooperationPlanAgreed(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.EMPLOYMENT, recorded_by=Recorder.RELATED,
        label=Label("Kooperationsplan vereinbart", "cooperation plan agreed"),
        sealed=("goals",),
        example={"agreed_on": "2026-10-20", "next_review_on": "2027-04-20",
                 "goals": "Deutsch B1 bis zum Sommer; danach Anerkennung als Pflegefachfrau"},
    )  # fmt: skip

    agreed_on: date
    next_review_on: date | None
    goals: str | None

    def apply(self, case: CaseRules) -> None:
        case.cooperation_plan = self.agreed_on


class CooperationPlanReviewed(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.EMPLOYMENT, recorded_by=Recorder.RELATED,
        label=Label("Kooperationsplan überprüft", "cooperation plan reviewed"),
        sealed=("outcome",),
        example={"reviewed_on": "2027-04-20", "next_review_on": "2027-10-20",
                 "outcome": "B1 erreicht; Anerkennungsantrag gestellt"},
    )  # fmt: skip

    reviewed_on: date
    next_review_on: date | None
    outcome: str | None


class Cooperation(CasePart):
    @records(CooperationPlanAgreed)
    def agree_cooperation_plan(
        self, by: Actor, at: datetime, *, agreed_on: Day, next_review_on: Day | None = None,
        goals: Text | None = None,
    ) -> None:  # fmt: skip
        """A new plan takes the place of the one before."""
        self.check_not_before(next_review_on, agreed_on, "the next review")
        self._record(CooperationPlanAgreed, by, at, agreed_on=agreed_on,
                     next_review_on=next_review_on, goals=goals)  # fmt: skip

    @records(CooperationPlanReviewed)
    def review_cooperation_plan(
        self, by: Actor, at: datetime, *, reviewed_on: Day, next_review_on: Day | None = None,
        outcome: Text | None = None,
    ) -> None:  # fmt: skip
        self.check_cooperation_plan_agreed(reviewed_on)
        self.check_not_before(next_review_on, reviewed_on, "the next review")
        self._record(CooperationPlanReviewed, by, at, reviewed_on=reviewed_on,
                     next_review_on=next_review_on, outcome=outcome)  # fmt: skip
