"""Consents: the person allows named agencies to receive named categories for named
purposes; a withdrawal ends that for the future."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from consent import Category, Consent, Purpose, end_of_validity
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.rules import CaseRules
from coordination.domain.values import (
    CategoryCode,
    Day,
    EvidenceDetails,
    Items,
    PurposeCode,
    ShortText,
    Slug,
    Supplied,
    Text,
)


class ConsentGranted(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.RELATED,
        label=Label("Einwilligung erteilt", "consent given"),
        example={"recipients": ["mbe-caritas-mayen"], "purposes": ["counselling"],
                 "categories": ["identity", "contact"], "given_on": "2026-09-01",
                 "valid_until": "2027-08-31",
                 "evidence": {"method": "written", "document_ref": "EV-2026-117",
                              "language": "ar"}},
    )  # fmt: skip

    consent_id: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    valid_until: date | None
    evidence: dict[str, Any]
    notice_version: str | None

    def apply(self, case: CaseRules) -> None:
        case.ledger.record(self.as_consent())
        case.involved.update(self.recipients)

    def as_consent(self) -> Consent:
        """The consent as the ledger holds it (the consent trail replays it too)."""
        return Consent(
            consent_id=self.consent_id,
            recipients=frozenset(self.recipients),
            purposes=frozenset(Purpose(p) for p in self.purposes),
            categories=frozenset(Category(c) for c in self.categories),
            given_on=self.given_on,
            expires_at=end_of_validity(self.valid_until) if self.valid_until else None,
        )


class ConsentWithdrawn(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.RELATED,
        label=Label("Einwilligung widerrufen", "consent withdrawn"), sealed=("reason",),
        on_closed_case=True,
        example={"consent_id": "consent-1", "withdrawn_on": "2026-10-01",
                 "reason": "person asked"},
    )  # fmt: skip

    consent_id: str
    withdrawn_on: date | None
    reason: str | None

    def apply(self, case: CaseRules) -> None:
        case.ledger.withdraw(self.consent_id, self.timestamp)


class Consents(CasePart):
    @records(ConsentGranted)
    def grant_consent(
        self,
        by: Actor,
        at: datetime,
        *,
        recipients: Annotated[list[Slug], Items(least=1)],
        purposes: Annotated[list[PurposeCode], Items(least=1)],
        categories: Annotated[list[CategoryCode], Items(least=1)],
        given_on: Day,
        valid_until: Day | None = None,
        evidence: EvidenceDetails,
        notice_version: ShortText | None = None,
        consent_id: Slug | None = None,
        is_known_agency: Annotated[Callable[[str], bool], Supplied] = lambda _: True,
    ) -> str:
        self.check_recipients_known(recipients, is_known_agency)
        self.check_consent_is_valid(recipients, categories, evidence, given_on, valid_until)
        consent_id = self.new_id("consent", consent_id)
        self._record(
            ConsentGranted, by, at,
            consent_id=consent_id, recipients=recipients, purposes=purposes,
            categories=categories, given_on=given_on, valid_until=valid_until,
            evidence=evidence, notice_version=notice_version,
        )  # fmt: skip
        return consent_id

    @records(ConsentWithdrawn)
    def withdraw_consent(
        self,
        by: Actor,
        at: datetime,
        *,
        consent_id: Slug,
        withdrawn_on: Day | None = None,
        reason: Text | None = None,
    ) -> None:
        self.check_consent_withdrawable(consent_id, at)
        self._record(
            ConsentWithdrawn, by, at,
            consent_id=consent_id, withdrawn_on=withdrawn_on, reason=reason,
        )  # fmt: skip
