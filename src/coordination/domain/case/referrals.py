"""Referrals: an agency sends the case to another for a purpose, with named categories;
the addressee accepts or declines it, and completes it."""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar

from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.flows import Flow
from coordination.domain.grounds import NO_STATUTE, Grounds
from coordination.domain.identity import Actor
from coordination.domain.parts import Referral, ReferralStatus
from coordination.domain.rules import CaseRules
from coordination.domain.values import CategoryCode, Items, PurposeCode, Slug, Supplied, Text


class ReferralSent(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.REFERRAL, recorded_by=Recorder.RELATED,
        label=Label("Weiterleitung", "referral"), sealed=("note",),
        example={"to_agency": "mbe-caritas-leipzig", "purpose": "counselling",
                 "categories": ["identity", "contact"]},
        recorded={"referral_id": "referral-1", "note": None},
    )  # fmt: skip

    referral_id: str
    to_agency: str
    purpose: str
    categories: list[str]
    note: str | None

    @classmethod
    def flows(cls, recorded_by: str, data: Mapping[str, Any]) -> list[Flow]:
        return [Flow.of(data["to_agency"], data["purpose"], data["categories"])]

    def apply(self, case: CaseRules) -> None:
        case.referrals[self.referral_id] = Referral(
            self.referral_id, self.recorded_by, self.to_agency, self.purpose, self.categories
        )


class ReferralAccepted(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.REFERRAL, recorded_by=Recorder.ADDRESSEE,
        label=Label("Weiterleitung angenommen", "referral accepted"), sealed=("reason",),
        example={"referral_id": "referral-1"}, recorded={"reason": None},
    )  # fmt: skip

    referral_id: str
    reason: str | None

    def apply(self, case: CaseRules) -> None:
        case.referrals[self.referral_id].status = ReferralStatus.ACCEPTED


class ReferralDeclined(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.REFERRAL, recorded_by=Recorder.ADDRESSEE,
        label=Label("Weiterleitung abgelehnt", "referral declined"), sealed=("reason",),
        example={"referral_id": "referral-1", "reason": "full"},
    )  # fmt: skip

    referral_id: str
    reason: str | None

    def apply(self, case: CaseRules) -> None:
        case.referrals[self.referral_id].status = ReferralStatus.DECLINED


class ReferralCompleted(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.REFERRAL, recorded_by=Recorder.ADDRESSEE,
        label=Label("Weiterleitung abgeschlossen", "referral completed"), sealed=("outcome",),
        example={"referral_id": "referral-1", "outcome": "counselling plan agreed"},
    )  # fmt: skip

    referral_id: str
    outcome: str

    def apply(self, case: CaseRules) -> None:
        case.referrals[self.referral_id].status = ReferralStatus.COMPLETED


class Referrals(CasePart):
    @records(ReferralSent)
    def send_referral(
        self,
        by: Actor,
        at: datetime,
        *,
        to_agency: Slug,
        purpose: PurposeCode,
        categories: Annotated[list[CategoryCode], Items(least=1)],
        note: Text | None = None,
        referral_id: Slug | None = None,
        grounds: Annotated[Grounds, Supplied] = NO_STATUTE,
    ) -> str:
        self.check_may_record(ReferralSent)
        self.check_not_to_self(by, to_agency)
        referral_id = self.new_id("referral", referral_id)
        self._record(
            ReferralSent, by, at, grounds,
            referral_id=referral_id, to_agency=to_agency, purpose=purpose,
            categories=categories, note=note,
        )  # fmt: skip
        return referral_id

    @records(ReferralAccepted)
    def accept_referral(
        self, by: Actor, at: datetime, *, referral_id: Slug, reason: Text | None = None
    ) -> None:
        self.check_addressee_may_move(by, referral_id, ReferralStatus.SENT)
        self._record(ReferralAccepted, by, at, referral_id=referral_id, reason=reason)

    @records(ReferralDeclined)
    def decline_referral(
        self, by: Actor, at: datetime, *, referral_id: Slug, reason: Text | None = None
    ) -> None:
        self.check_addressee_may_move(by, referral_id, ReferralStatus.SENT)
        self._record(ReferralDeclined, by, at, referral_id=referral_id, reason=reason)

    @records(ReferralCompleted)
    def complete_referral(
        self, by: Actor, at: datetime, *, referral_id: Slug, outcome: Text
    ) -> None:
        self.check_addressee_may_move(by, referral_id, ReferralStatus.ACCEPTED)
        self._record(ReferralCompleted, by, at, referral_id=referral_id, outcome=outcome)
