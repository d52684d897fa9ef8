"""Case administration: the lead agency transfers, closes or reopens the case; a
data-protection officer erases their controller's part of it (Art. 17 GDPR: the event is
recorded, then the part's key destroyed, unless a retention rule keeps it; ADR 0042)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar

from consent import Category, Purpose
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.flows import Flow
from coordination.domain.grounds import NO_STATUTE, Grounds
from coordination.domain.identity import Actor
from coordination.domain.rules import CaseRules
from coordination.domain.values import ErasureReason, LegalBasis, Slug, Supplied, Text


class CaseTransferred(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.LEAD,
        label=Label("Fallübergabe", "case transfer"), sealed=("reason",),
        example={"to_agency": "abh-mayen-koblenz", "reason": "moved"},
        recorded={"from_agency": "abh-leipzig"},
    )  # fmt: skip

    from_agency: str
    to_agency: str
    reason: str | None

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        return [Flow.of(data["to_agency"], Purpose.CASE_MANAGEMENT, [Category.IDENTITY])]

    def apply(self, case: CaseRules) -> None:
        case.lead_agency = self.to_agency

    def relates(self) -> set[str]:
        return super().relates() | {self.to_agency}


class CaseClosed(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.LEAD,
        label=Label("Fall abgeschlossen", "case closed"), sealed=("reason",),
        example={"reason": "integration agreement fulfilled"},
    )  # fmt: skip

    reason: str

    def apply(self, case: CaseRules) -> None:
        case.closed = True


class CaseReopened(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.LEAD,
        label=Label("Fall wiedereröffnet", "case reopened"), sealed=("reason",),
        on_closed_case=True, example={"reason": "the person asks for counselling again"},
    )  # fmt: skip

    reason: str

    def apply(self, case: CaseRules) -> None:
        case.closed = False


class CaseErased(Event):
    """A controller's part of the case erased: destroyed, or kept under a retention rule
    (`kept_under`: its rule id, norm and the day it may be destroyed). `whole`: the part of
    the controller that opened the case, and with it the case: nothing more is recorded;
    `left_to` names the other controllers whose parts remain, for their own DPOs."""

    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.DPO,
        label=Label("Fall gelöscht", "case erased"),
        example={"reason": "the person asked for erasure", "legal_basis": "Art. 17 GDPR"},
        recorded={"controller": "leipzig", "whole": True, "kept_under": None, "left_to": []},
    )  # fmt: skip
    # Erasing a case does not relate the erasing agency to it.
    relates_recorder: ClassVar[bool] = False
    # 2: whose part, whether the whole case, and the retention a kept part is under.
    class_version: ClassVar[int] = 2

    reason: str
    legal_basis: str
    controller: str
    whole: bool
    kept_under: dict[str, str] | None
    left_to: list[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Before controllers, an erasure destroyed the whole case's one key.
        state.update(controller="", whole=True, kept_under=None, left_to=[])

    def apply(self, case: CaseRules) -> None:
        case.erased_parts[self.controller] = self.kept_under
        if self.whole:
            case.erased = True
            case.person, case.arrived_on, case.residence_status = {}, None, None


class Administration(CasePart):
    @records(CaseTransferred)
    def transfer(
        self, by: Actor, at: datetime, *, to_agency: Slug, reason: Text | None = None,
        grounds: Annotated[Grounds, Supplied] = NO_STATUTE,
    ) -> None:  # fmt: skip
        self.check_may_record(CaseTransferred)
        self.check_is_lead(by)
        self.check_not_to_self(by, to_agency)
        self._record(
            CaseTransferred, by, at, grounds,
            from_agency=by.agency, to_agency=to_agency, reason=reason,
        )  # fmt: skip

    @records(CaseClosed)
    def close(self, by: Actor, at: datetime, *, reason: Text) -> None:
        self.check_is_lead(by)
        self._record(CaseClosed, by, at, reason=reason)

    @records(CaseReopened)
    def reopen(self, by: Actor, at: datetime, *, reason: Text) -> None:
        self.check_may_record(CaseReopened)
        self.check_is_lead(by)
        self.check_is_closed(str(self.id))
        self.check_not_merged(str(self.id))
        self._record(CaseReopened, by, at, reason=reason)

    @records(CaseErased)
    def erase(
        self, by: Actor, at: datetime, *, reason: ErasureReason, legal_basis: LegalBasis,
        whole: Annotated[bool, Supplied] = True,
        kept_under: Annotated[dict[str, str] | None, Supplied] = None,
        left_to: Annotated[list[str] | None, Supplied] = None,
    ) -> None:  # fmt: skip
        """A data-protection officer erases their controller's part (`by.controller`);
        open or closed alike, and once each."""
        self.check_may_erase(by.controller, whole)
        self.trigger_event(
            CaseErased, timestamp=at, recorded_by=by.agency, token_label=by.token_label,
            user=by.user, reason=reason, legal_basis=legal_basis, controller=by.controller,
            whole=whole, kept_under=kept_under, left_to=sorted(left_to or ()),
        )  # fmt: skip
