"""Childcare and school places: a child of the person has a place in a Kita or with a
childminder, or at a school, from a given day. The agencies plan courses and work
around it (a language course needs the childcare first); the institution and the
child's first name are sealed, and the place needs no state: no rule follows from it
(ADR 0065)."""

from datetime import date, datetime
from typing import ClassVar

from consent import Category
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.values import Day, PlaceKindCode, ShortText


class PlaceSecured(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.FAMILY, recorded_by=Recorder.RELATED,
        label=Label("Kita- oder Schulplatz gesichert", "childcare or school place secured"),
        sealed=("institution", "child"),
        example={"kind": "childcare", "institution": "Kita Sonnenblume",
                 "starts_on": "2026-11-02", "child": "Lina"},
    )  # fmt: skip

    kind: str
    institution: str
    starts_on: date
    child: str | None  # a first name only; none: the person's only child, or themself


class Places(CasePart):
    @records(PlaceSecured)
    def secure_place(
        self, by: Actor, at: datetime, *, kind: PlaceKindCode, institution: ShortText,
        starts_on: Day, child: ShortText | None = None,
    ) -> None:  # fmt: skip
        self._record(PlaceSecured, by, at, kind=kind, institution=institution,
                     starts_on=starts_on, child=child)  # fmt: skip
