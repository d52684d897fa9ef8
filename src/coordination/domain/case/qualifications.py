"""Qualifications obtained abroad and the decisions recognising them (BQFG)."""

from datetime import date, datetime
from typing import ClassVar

from consent import Category
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.parts import Qualification
from coordination.domain.rules import CaseRules
from coordination.domain.values import CountryCode, Day, RecognitionOutcomeCode, ShortText, Slug


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
