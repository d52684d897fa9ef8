"""The person's details after the opening: identity corrected (Art. 16 GDPR), contact
details and residence status changed.

Each change is an event of its own; the opening and every earlier change stay as they
were recorded, so the history shows what was held before and who changed it, and why.
An event only ever replaces the case's `person` with a new dict: the one the opening
holds is never changed in place. A change whose sealed part was erased reads as None
and changes nothing."""

from datetime import date, datetime
from typing import Any, ClassVar

from consent import Category
from coordination.domain.case.event import CasePart, Event
from coordination.domain.declaration import Declaration, Label, Recorder, records
from coordination.domain.identity import Actor
from coordination.domain.rules import CaseRules
from coordination.domain.values import (
    IDENTITY_FIELDS,
    UNCHANGED,
    ContactDetails,
    CountryCode,
    Day,
    Email,
    LanguageCode,
    Phone,
    ShortText,
    Text,
    Unchanged,
)


class PersonCorrected(Event):
    """Identity details corrected; a field it leaves None is not corrected."""

    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.IDENTITY, recorded_by=Recorder.RELATED,
        label=Label("Personenangaben berichtigt", "personal details corrected"),
        sealed=(*IDENTITY_FIELDS, "reason"),
        # Art. 16 GDPR: what is held stays rectifiable when the case is closed.
        on_closed_case=True,
        example={"family_name": "Al-Haddad", "date_of_birth": "1994-02-03",
                 "reason": "as in the passport: the family name in full; day and month "
                           "of birth were swapped"},
        recorded={"given_name": None, "nationality": None, "languages": None},
    )  # fmt: skip

    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    nationality: str | None
    languages: list[str] | None
    reason: str

    def apply(self, case: CaseRules) -> None:
        corrected = {k: v for k in IDENTITY_FIELDS if (v := getattr(self, k)) is not None}
        case.person = {**(case.person or {}), **corrected}


class ContactChanged(Event):
    """`contact` holds the keys it changes: a value, or None where one was removed."""

    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.CONTACT, recorded_by=Recorder.RELATED,
        label=Label("Kontaktdaten geändert", "contact changed"), sealed=("contact", "reason"),
        example={"phone": "+49 341 1111111", "reason": "new mobile number"},
        recorded={"contact": {"phone": "+49 341 1111111"}},
    )  # fmt: skip

    contact: ContactDetails
    reason: str | None

    def apply(self, case: CaseRules) -> None:
        if self.contact is not None:  # None: its part was erased
            case.person = {**(case.person or {}), **self.contact}


class ResidenceStatusChanged(Event):
    declared: ClassVar[Declaration] = Declaration(
        read_under=Category.RESIDENCE, recorded_by=Recorder.RELATED,
        label=Label("Aufenthaltsstatus geändert", "residence status changed"),
        sealed=("residence_status", "changed_on", "reason"),
        example={"residence_status": "niederlassungserlaubnis", "changed_on": "2026-08-28",
                 "reason": "settlement permit issued"},
    )  # fmt: skip

    residence_status: str
    changed_on: date
    reason: str | None

    def apply(self, case: CaseRules) -> None:
        if self.residence_status is not None:  # None: its part was erased
            case.residence_status = self.residence_status


class PersonChanges(CasePart):
    @records(PersonCorrected)
    def correct_person(
        self,
        by: Actor,
        at: datetime,
        *,
        given_name: ShortText | None = None,
        family_name: ShortText | None = None,
        date_of_birth: Day | None = None,
        nationality: CountryCode | None = None,
        languages: list[LanguageCode] | None = None,
        reason: Text,
    ) -> None:
        corrected: dict[str, Any] = {
            "given_name": given_name, "family_name": family_name,
            "date_of_birth": date_of_birth, "nationality": nationality, "languages": languages,
        }  # fmt: skip
        self.check_changes_something(corrected, left_out=None)
        self._record(PersonCorrected, by, at, **corrected, reason=reason)

    @records(ContactChanged)
    def change_contact(
        self,
        by: Actor,
        at: datetime,
        *,
        phone: Phone | Unchanged | None = UNCHANGED,
        email: Email | Unchanged | None = UNCHANGED,
        reason: Text | None = None,
    ) -> None:
        given = {"phone": phone, "email": email}
        self.check_changes_something(given, left_out=UNCHANGED)
        contact = {k: v for k, v in given.items() if v is not UNCHANGED}
        self._record(ContactChanged, by, at, contact=contact, reason=reason)

    @records(ResidenceStatusChanged)
    def change_residence_status(
        self,
        by: Actor,
        at: datetime,
        *,
        residence_status: ShortText,
        changed_on: Day,
        reason: Text | None = None,
    ) -> None:
        self._record(
            ResidenceStatusChanged, by, at,
            residence_status=residence_status, changed_on=changed_on, reason=reason,
        )  # fmt: skip
