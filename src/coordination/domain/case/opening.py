"""Opening a case: the person, where they live, since when and on what residence status."""

from dataclasses import KW_ONLY
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID

from eventsourcing.domain import Aggregate

from coordination.domain.case.event import CasePart
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.values import Day, PersonDetails, ShortText, Slug, Supplied

PERSON_EXAMPLE = {
    "given_name": "Amina", "family_name": "Haddad", "date_of_birth": "1994-03-02",
    "nationality": "SY", "languages": ["ar", "en"], "phone": "+49 341 000000", "email": None,
}  # fmt: skip


class CaseOpened(Aggregate.Created):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.PERSON, recorded_by=Recorder.ANY_CASEWORKER,
        label=Label("Fall eröffnet", "case opened"),
        sealed=("person", "arrived_on", "residence_status"),
        example={"person": PERSON_EXAMPLE, "municipality": "leipzig",
                 "arrived_on": "2026-08-14", "residence_status": "aufenthaltserlaubnis"},
    )  # fmt: skip

    recorded_by: str
    token_label: str
    municipality: str
    person: dict[str, Any]
    arrived_on: date | None
    residence_status: str | None
    _: KW_ONLY
    user: str = ""  # the person who opened it in the web app (pseudonymous id)

    def relates(self) -> set[str]:
        """The agency that opened the case (see `Event.relates`)."""
        return {self.recorded_by}


class Opening(CasePart):
    """The command that opens a case; its caller's agency becomes the lead agency."""

    @classmethod
    @records(CaseOpened)
    def open(
        cls,
        by: Actor,
        at: datetime,
        *,
        person: PersonDetails,
        municipality: Slug,
        arrived_on: Day | None = None,
        residence_status: ShortText | None = None,
        case_id: Annotated[UUID | None, Supplied] = None,
    ) -> Self:
        opened: Self = cls._create(  # type: ignore[attr-defined]
            CaseOpened, id=case_id, timestamp=at, recorded_by=by.agency,
            token_label=by.token_label, user=by.user, municipality=municipality, person=person,
            arrived_on=arrived_on, residence_status=residence_status,
        )  # fmt: skip
        return opened
