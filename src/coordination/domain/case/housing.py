"""Housing: where the person lives (from an initial reception centre through shared
and follow-on accommodation to a flat of their own), and the residence obligation
(Wohnsitzauflage, § 12a AufenthG) imposed and lifted. The municipality and the place
an obligation binds to stay in clear, as the case's municipality does; an address and
why an obligation was lifted are sealed. The case holds only the day the obligation in
force binds from: lifting needs one in force, not before that day (ADR 0065)."""

from datetime import date, datetime
from typing import ClassVar

from consent import Category
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.rules import CaseRules
from coordination.domain.values import AccommodationCode, Day, ShortText, Slug, Text


class AccommodationChanged(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.RESIDENCE, recorded_by=Recorder.RELATED,
        label=Label("Unterbringung gewechselt", "accommodation changed"), sealed=("address",),
        example={"accommodation": "follow_on_accommodation", "municipality": "leipzig",
                 "moved_on": "2026-11-02", "address": "Musterstraße 12, 04315 Leipzig"},
    )  # fmt: skip

    accommodation: str
    municipality: str
    moved_on: date
    address: str | None


class ResidenceObligationImposed(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.RESIDENCE, recorded_by=Recorder.RELATED,
        label=Label("Wohnsitzauflage erteilt", "residence obligation imposed"),
        example={"place": "Leipzig", "valid_from": "2026-09-15",
                 "valid_until": "2029-08-14"},
    )  # fmt: skip

    place: str  # a municipality, or a Land (§ 12a (1) AufenthG)
    valid_from: date
    valid_until: date | None

    def apply(self, case: CaseRules) -> None:
        case.residence_obligation = self.valid_from


class ResidenceObligationLifted(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.RESIDENCE, recorded_by=Recorder.RELATED,
        label=Label("Wohnsitzauflage aufgehoben", "residence obligation lifted"),
        sealed=("reason",),
        example={"lifted_on": "2027-05-01",
                 "reason": "work subject to social insurance in Hamburg from May"},
    )  # fmt: skip

    lifted_on: date
    reason: str

    def apply(self, case: CaseRules) -> None:
        case.residence_obligation = None


class Housing(CasePart):
    @records(AccommodationChanged)
    def change_accommodation(
        self, by: Actor, at: datetime, *, accommodation: AccommodationCode, municipality: Slug,
        moved_on: Day, address: ShortText | None = None,
    ) -> None:  # fmt: skip
        self._record(AccommodationChanged, by, at, accommodation=accommodation,
                     municipality=municipality, moved_on=moved_on, address=address)  # fmt: skip

    @records(ResidenceObligationImposed)
    def impose_residence_obligation(
        self, by: Actor, at: datetime, *, place: ShortText, valid_from: Day,
        valid_until: Day | None = None,
    ) -> None:  # fmt: skip
        """A new obligation takes the place of one in force (another place after a
        move the authority allowed)."""
        self.check_not_before(valid_until, valid_from, "valid_until")
        self._record(ResidenceObligationImposed, by, at, place=place, valid_from=valid_from,
                     valid_until=valid_until)  # fmt: skip

    @records(ResidenceObligationLifted)
    def lift_residence_obligation(
        self, by: Actor, at: datetime, *, lifted_on: Day, reason: Text
    ) -> None:
        self.check_residence_obligation_in_force(lifted_on)
        self._record(ResidenceObligationLifted, by, at, lifted_on=lifted_on, reason=reason)
