"""Consents: the person allows named agencies to receive named categories for named
purposes, optionally only from named agencies; a withdrawal ends that for the future.

A consent is recorded by the agency that obtained it or by the case's lead agency, and
never by an agency it names as a recipient: no agency widens its own access. A minor's
consent is given by a legal representative."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from consent import Category, Consent, Purpose, end_of_validity
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Reading, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.policy import DEFAULT_POLICY, Policy
from coordination.domain.rules import CaseRules
from coordination.domain.values import (
    CategoryCode,
    Day,
    EvidenceDetails,
    Items,
    PurposeCode,
    RepresentativeDetails,
    ShortText,
    Slug,
    Supplied,
    Text,
)


class ConsentGranted(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Reading.ADMINISTRATION, recorded_by=Recorder.OBTAINER,
        label=Label("Einwilligung erteilt", "consent given"), sealed=("legal_representative.name",),
        example={"recipients": ["mbe-caritas-leipzig"], "purposes": ["counselling"],
                 "categories": ["identity", "contact"], "given_on": "2026-09-01",
                 "valid_until": "2027-08-31",
                 "evidence": {"method": "written", "document_ref": "EV-2026-117",
                              "language": "ar"}},
        recorded={"consent_id": "consent-1", "notice_version": None,
                  "obtained_by": "abh-leipzig", "disclosers": None, "legal_representative": None},
    )  # fmt: skip
    # 2: the agency that obtained it, the agencies that may disclose, a representative.
    class_version: ClassVar[int] = 2

    consent_id: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    valid_until: date | None
    evidence: dict[str, Any]
    notice_version: str | None
    obtained_by: str
    disclosers: list[str] | None
    legal_representative: dict[str, Any] | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Before, the recording agency was the one that obtained it, and any agency
        # holding the data could disclose under it.
        state.update(obtained_by=state["recorded_by"], disclosers=None, legal_representative=None)

    def apply(self, case: CaseRules) -> None:
        case.ledger.record(self.as_consent())

    def relates(self) -> set[str]:
        return super().relates() | set(self.recipients)

    def as_consent(self) -> Consent:
        """The consent as the ledger holds it (the consent trail replays it too)."""
        return Consent(
            consent_id=self.consent_id,
            recipients=frozenset(self.recipients),
            purposes=frozenset(Purpose(p) for p in self.purposes),
            categories=frozenset(Category(c) for c in self.categories),
            given_on=self.given_on,
            expires_at=end_of_validity(self.valid_until) if self.valid_until else None,
            disclosers=None if self.disclosers is None else frozenset(self.disclosers),
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
        obtained_by: Slug | None = None,
        disclosers: Annotated[list[Slug], Items(least=1)] | None = None,
        legal_representative: RepresentativeDetails | None = None,
        is_known_agency: Annotated[Callable[[str], bool], Supplied] = lambda _: True,
        policy: Annotated[Policy, Supplied] = DEFAULT_POLICY,
    ) -> str:
        self.check_may_record(ConsentGranted)
        obtained_by = obtained_by or by.agency
        self.check_may_record_consent(by, obtained_by, recipients)
        self.check_agencies_known(recipients, is_known_agency, "recipient agencies")
        self.check_agencies_known([obtained_by, *(disclosers or ())], is_known_agency)
        self.check_consent_is_valid(recipients, categories, evidence, given_on, valid_until)
        self.check_given_by(legal_representative, given_on, policy.consent_age)
        consent_id = self.new_id("consent", consent_id)
        self._record(
            ConsentGranted, by, at,
            consent_id=consent_id, recipients=recipients, purposes=purposes,
            categories=categories, given_on=given_on, valid_until=valid_until,
            evidence=evidence, notice_version=notice_version, obtained_by=obtained_by,
            disclosers=disclosers, legal_representative=legal_representative,
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
