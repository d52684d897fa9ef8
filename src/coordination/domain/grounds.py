"""What a case's rules need to know beyond the case itself: the statutory rule book as
it stands, and the kind of each agency (a rule speaks of kinds: a foreigners authority,
a course provider). The application supplies it to the commands that disclose data."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from consent import (
    EMPTY_STATUTE,
    Category,
    ConsentLedger,
    DisclosureDecision,
    Statute,
    StatutoryRule,
)
from consent.basis import Basis
from coordination.domain.flows import Flow


def kind_unknown(agency_id: str) -> str:
    return ""  # no rule names the empty kind


@dataclass(frozen=True)
class Grounds:
    statute: Statute = EMPTY_STATUTE
    kind_of: Callable[[str], str] = field(default=kind_unknown)


NO_STATUTE = Grounds()


@dataclass(frozen=True)
class Founding:
    """On what each category of one flow rests: a statutory rule, else a consent."""

    by_law: Mapping[Category, StatutoryRule]
    by_consent: DisclosureDecision

    @property
    def missing(self) -> frozenset[Category]:
        return self.by_consent.missing

    @property
    def bases(self) -> dict[Category, str]:
        """Each founded category's basis as the access log names it (`consent.basis`)."""
        by_law = {c: str(Basis.statute(r.rule_id)) for c, r in self.by_law.items()}
        return by_law | dict(self.by_consent.basis)


def founding(
    flow: Flow, sender: str, ledger: ConsentLedger, grounds: Grounds, at: datetime
) -> Founding:
    """The question the write step asks of each flow, and the consent trail again: a rule
    in force for the sender's and the recipient's kinds covers a category whatever the
    person said; every other category needs a consent that lets the sender disclose."""
    kind_of = grounds.kind_of
    by_law = grounds.statute.covering(
        kind_of(sender), kind_of(flow.recipient), flow.purpose, flow.categories, at
    )
    rest = [c for c in flow.categories if c not in by_law]
    decision = ledger.check_disclosure(flow.recipient, flow.purpose, rest, at, sender=sender)
    return Founding(by_law, decision)
