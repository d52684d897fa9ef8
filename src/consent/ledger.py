"""The consent ledger: every consent of a case, and what they allow at a time."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from consent.record import Consent
from consent.vocabulary import Category, Purpose


@dataclass(frozen=True)
class DisclosureDecision:
    """Whether `categories` may go to `recipient` for `purpose`, and on what basis."""

    recipient: str
    purpose: Purpose
    basis: Mapping[Category, str]
    missing: frozenset[Category]

    @property
    def allowed(self) -> bool:
        return not self.missing

    @property
    def consent_ids(self) -> list[str]:
        return sorted(set(self.basis.values()))


@dataclass
class ConsentLedger:
    consents: dict[str, Consent] = field(default_factory=dict)

    def record(self, consent: Consent) -> None:
        self.consents[consent.consent_id] = consent

    def withdraw(self, consent_id: str, at: datetime) -> None:
        self.consents[consent_id] = self.consents[consent_id].withdrawn(at)

    def get(self, consent_id: str) -> Consent | None:
        return self.consents.get(consent_id)

    def active(self, at: datetime) -> list[Consent]:
        return [c for c in self.consents.values() if c.is_active(at)]

    def ever_names(self, agency: str) -> bool:
        return any(c.names(agency) for c in self.consents.values())

    def check_disclosure(
        self, recipient: str, purpose: Purpose, categories: Iterable[Category], at: datetime,
        sender: str | None = None,
    ) -> DisclosureDecision:  # fmt: skip
        """Each category needs an active consent naming the recipient for the purpose,
        and, where the consent names who may disclose, naming the sender too."""
        wanted = frozenset(categories)
        covering = [
            c for c in self.active(at)
            if c.names(recipient) and purpose in c.purposes
            and (sender is None or c.lets_disclose(sender))
        ]  # fmt: skip
        basis = _first_basis(covering, wanted)
        missing = wanted - basis.keys()
        return DisclosureDecision(recipient, purpose, basis, missing)

    def readable_categories(
        self, agency: str, at: datetime, recorded_by: str | None = None,
        purpose: Purpose | None = None,
    ) -> dict[Category, str]:  # fmt: skip
        """Categories `agency` may read now, each with a consent that allows it: of data
        `recorded_by` recorded (a consent may name who discloses), for `purpose` if given."""
        covering = [
            c for c in self.active(at)
            if c.names(agency)
            and (recorded_by is None or c.lets_disclose(recorded_by))
            and (purpose is None or purpose in c.purposes)
        ]  # fmt: skip
        return _first_basis(covering, list(Category))


def _first_basis(consents: list[Consent], wanted: Iterable[Category]) -> dict[Category, str]:
    # Oldest consent first, so the basis named in logs is stable between requests.
    ordered = sorted(consents, key=lambda c: (c.given_on, c.consent_id))
    basis: dict[Category, str] = {}
    for category in wanted:
        for consent in ordered:
            if category in consent.categories:
                basis[category] = consent.consent_id
                break
    return basis
