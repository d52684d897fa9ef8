"""Language and integration courses: assigned to a course provider, completed with a
result."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from consent import Category, Purpose
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.flows import Flow
from coordination.domain.grounds import NO_STATUTE, Grounds
from coordination.domain.identity import Actor
from coordination.domain.parts import Course
from coordination.domain.rules import CaseRules
from coordination.domain.values import (
    CourseResultCode,
    CourseTypeCode,
    Day,
    LevelCode,
    Slug,
    Supplied,
)

PROVIDER_NEEDS = (Category.IDENTITY, Category.CONTACT)


class CourseAssigned(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.LANGUAGE, recorded_by=Recorder.RELATED,
        label=Label("Kurszuweisung", "course assignment"), sealed=("target_level",),
        example={"course_type": "integration_course", "provider": "vhs-leipzig",
                 "target_level": "B1", "starts_on": "2026-10-05"},
        recorded={"course_id": "course-1"},
    )  # fmt: skip

    course_id: str
    course_type: str
    provider: str
    target_level: str | None
    starts_on: date | None

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        # A provider assigning its own course sends nothing; any other agency sends the
        # provider who the person is and how to reach them.
        if data["provider"] == recorded_by:
            return []
        return [Flow.of(data["provider"], Purpose.LANGUAGE_COURSE, PROVIDER_NEEDS)]

    def apply(self, case: CaseRules) -> None:
        case.courses[self.course_id] = Course(
            self.course_id, self.course_type, self.provider, self.recorded_by,
            self.target_level, self.starts_on,
        )  # fmt: skip

    def relates(self) -> set[str]:
        return super().relates() | {self.provider}


class CourseCompleted(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.LANGUAGE, recorded_by=Recorder.RELATED,
        label=Label("Kurs abgeschlossen", "course completed"),
        example={"course_id": "course-1", "result": "B1", "completed_on": "2027-04-30"},
    )  # fmt: skip

    course_id: str
    result: str
    completed_on: date

    def apply(self, case: CaseRules) -> None:
        course = case.courses[self.course_id]
        course.result, course.completed_on = self.result, self.completed_on


class Courses(CasePart):
    @records(CourseAssigned)
    def assign_course(
        self,
        by: Actor,
        at: datetime,
        *,
        course_type: CourseTypeCode,
        provider: Slug,
        target_level: LevelCode | None = None,
        starts_on: Day | None = None,
        course_id: Slug | None = None,
        grounds: Annotated[Grounds, Supplied] = NO_STATUTE,
    ) -> str:
        self.check_may_record(CourseAssigned)
        course_id = self.new_id("course", course_id)
        self._record(
            CourseAssigned, by, at, grounds,
            course_id=course_id, course_type=course_type, provider=provider,
            target_level=target_level, starts_on=starts_on,
        )  # fmt: skip
        return course_id

    @records(CourseCompleted)
    def complete_course(
        self,
        by: Actor,
        at: datetime,
        *,
        course_id: Slug,
        result: CourseResultCode,
        completed_on: Day,
    ) -> None:
        self.check_course_active(course_id)
        self._record(
            CourseCompleted, by, at,
            course_id=course_id, result=result, completed_on=completed_on,
        )  # fmt: skip
