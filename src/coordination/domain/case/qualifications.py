"""Qualifications obtained abroad and their recognition (BQFG): the application filed
with the competent body, the decision, and the compensation measure a decision may ask
for, started and passed. What the agencies coordinate by, not the body's file: the
reference profession is sealed with the qualification's details (ADR 0065)."""

from datetime import date, datetime
from typing import ClassVar

from consent import Category
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.parts import Qualification
from coordination.domain.rules import CaseRules
from coordination.domain.values import (
    CompensationMeasureCode,
    CountryCode,
    Day,
    RecognitionOutcomeCode,
    ShortText,
    Slug,
)


class QualificationRecorded(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.EDUCATION, recorded_by=Recorder.RELATED,
        label=Label("Abschluss erfasst", "qualification recorded"),
        sealed=("title", "country", "level", "obtained_on"),
        example={"title": "Bachelor of Nursing", "country": "SY", "level": "bachelor",
                 "obtained_on": "2018-06-30"},
        recorded={"qualification_id": "qualification-1"},
    )  # fmt: skip

    qualification_id: str
    title: str
    country: str
    level: str | None
    obtained_on: date | None

    def apply(self, case: CaseRules) -> None:
        case.qualifications[self.qualification_id] = Qualification(
            self.qualification_id, self.title, self.country, self.recorded_by,
            self.level, self.obtained_on,
        )  # fmt: skip


class RecognitionApplied(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.EDUCATION, recorded_by=Recorder.RELATED,
        label=Label("Anerkennung beantragt", "recognition applied for"),
        sealed=("reference_profession",),
        example={"qualification_id": "qualification-1",
                 "competent_body": "Landesdirektion Sachsen",
                 "reference_profession": "Pflegefachfrau", "filed_on": "2026-10-01"},
    )  # fmt: skip

    qualification_id: str
    competent_body: str
    reference_profession: str
    filed_on: date


class RecognitionDecided(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.EDUCATION, recorded_by=Recorder.RELATED,
        label=Label("Anerkennung entschieden", "recognition decided"),
        example={"qualification_id": "qualification-1", "outcome": "compensation_required",
                 "decided_on": "2026-12-10"},
    )  # fmt: skip

    qualification_id: str
    outcome: str
    decided_on: date

    def apply(self, case: CaseRules) -> None:
        qualification = case.qualifications[self.qualification_id]
        qualification.recognition, qualification.decided_on = self.outcome, self.decided_on
        # A measure follows the decision that asked for it; a later decision ends it.
        case.compensation_measures.pop(self.qualification_id, None)


class CompensationMeasureStarted(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.EDUCATION, recorded_by=Recorder.RELATED,
        label=Label("Ausgleichsmaßnahme begonnen", "compensation measure started"),
        example={"qualification_id": "qualification-1", "measure": "adaptation_course",
                 "started_on": "2027-02-01"},
    )  # fmt: skip

    qualification_id: str
    measure: str
    started_on: date

    def apply(self, case: CaseRules) -> None:
        case.compensation_measures[self.qualification_id] = None


class CompensationMeasurePassed(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.EDUCATION, recorded_by=Recorder.RELATED,
        label=Label("Ausgleichsmaßnahme bestanden", "compensation measure passed"),
        example={"qualification_id": "qualification-1", "passed_on": "2027-07-30"},
    )  # fmt: skip

    qualification_id: str
    passed_on: date

    def apply(self, case: CaseRules) -> None:
        case.compensation_measures[self.qualification_id] = self.passed_on


class Qualifications(CasePart):
    @records(QualificationRecorded)
    def record_qualification(
        self,
        by: Actor,
        at: datetime,
        *,
        title: ShortText,
        country: CountryCode,
        level: ShortText | None = None,
        obtained_on: Day | None = None,
        qualification_id: Slug | None = None,
    ) -> str:
        qualification_id = self.new_id("qualification", qualification_id)
        self._record(
            QualificationRecorded, by, at,
            qualification_id=qualification_id, title=title, country=country,
            level=level, obtained_on=obtained_on,
        )  # fmt: skip
        return qualification_id

    @records(RecognitionApplied)
    def apply_for_recognition(
        self, by: Actor, at: datetime, *, qualification_id: Slug, competent_body: ShortText,
        reference_profession: ShortText, filed_on: Day,
    ) -> None:  # fmt: skip
        """Filed with the competent body; a new application (another reference
        profession, another body) may follow any decision."""
        self.check_qualification_recorded(qualification_id)
        self._record(
            RecognitionApplied, by, at, qualification_id=qualification_id,
            competent_body=competent_body, reference_profession=reference_profession,
            filed_on=filed_on,
        )  # fmt: skip

    @records(RecognitionDecided)
    def decide_recognition(
        self,
        by: Actor,
        at: datetime,
        *,
        qualification_id: Slug,
        outcome: RecognitionOutcomeCode,
        decided_on: Day,
    ) -> None:
        self.check_qualification_recorded(qualification_id)
        self._record(
            RecognitionDecided, by, at,
            qualification_id=qualification_id, outcome=outcome, decided_on=decided_on,
        )  # fmt: skip

    @records(CompensationMeasureStarted)
    def start_compensation_measure(
        self, by: Actor, at: datetime, *, qualification_id: Slug,
        measure: CompensationMeasureCode, started_on: Day,
    ) -> None:  # fmt: skip
        self.check_compensation_may_start(qualification_id)
        self._record(CompensationMeasureStarted, by, at, qualification_id=qualification_id,
                     measure=measure, started_on=started_on)  # fmt: skip

    @records(CompensationMeasurePassed)
    def pass_compensation_measure(
        self, by: Actor, at: datetime, *, qualification_id: Slug, passed_on: Day
    ) -> None:
        self.check_compensation_running(qualification_id)
        self._record(CompensationMeasurePassed, by, at, qualification_id=qualification_id,
                     passed_on=passed_on)  # fmt: skip
