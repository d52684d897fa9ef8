"""The consent trail of one case, derived from its history alone: pure, no I/O.

An event that sends data to another agency does not store the consent that
allowed it. Replaying the case's consent events in order and asking the ledger,
at the event's own instant, the question its command asked when it was decided
gives the same answer on every replay: the basis of each disclosure.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from consent import Category, Consent, ConsentLedger, ConsentStatus, Purpose, start_of_day
from coordination.domain.case import (
    CaseEvent,
    ConsentGranted,
    ConsentWithdrawn,
    Event,
)
from coordination.domain.flows import Flow


def flows_of(event: CaseEvent) -> list[Flow]:
    """The disclosures an event made: the ones its command checked (declared on its class)."""
    if isinstance(event, Event):
        return type(event).flows(event.recorded_by, vars(event))
    return []


@dataclass(frozen=True)
class Disclosure:
    """One flow of one event, with the consent behind each category."""

    version: int
    at: datetime
    event_type: str
    sender: str
    recipient: str
    purpose: Purpose
    categories: tuple[Category, ...]
    basis: Mapping[Category, str]

    @property
    def founded(self) -> bool:
        return set(self.categories) <= self.basis.keys()

    @property
    def consent_ids(self) -> list[str]:
        return sorted(set(self.basis.values()))


@dataclass(frozen=True)
class Recording:
    """Who recorded a consent event, when, as which version of the case."""

    version: int
    at: datetime
    agency: str
    token_label: str


@dataclass
class ConsentStory:
    """One consent from grant to withdrawal, and the disclosures it allowed."""

    consent: Consent
    valid_until: date | None
    evidence_method: str | None
    notice_version: str | None
    obtained_by: str
    given_by: str  # "person", or how a representative acts for them ("parent", …)
    granted: Recording
    withdrawn: Recording | None = None
    withdrawn_on: date | None = None
    disclosures: list[Disclosure] = field(default_factory=list)

    @property
    def consent_id(self) -> str:
        return self.consent.consent_id

    @property
    def valid_from(self) -> datetime:
        return start_of_day(self.consent.given_on)

    def status(self, at: datetime) -> ConsentStatus:
        return self.consent.status(at)

    def ended_at(self, at: datetime) -> datetime | None:
        """When it stopped counting, if it had by `at`: withdrawal or expiry, the earlier."""
        ends = [t for t in (self.consent.withdrawn_at, self.consent.expires_at) if t and t <= at]
        return min(ends, default=None)


@dataclass
class ConsentTrail:
    stories: dict[str, ConsentStory] = field(default_factory=dict)  # in order of grant
    disclosures: list[Disclosure] = field(default_factory=list)  # in order of recording
    ledger: ConsentLedger = field(default_factory=ConsentLedger)

    @property
    def unfounded(self) -> list[Disclosure]:
        """Disclosures no consent covered when they were recorded: should stay empty."""
        return [d for d in self.disclosures if not d.founded]


def consent_trail(events: Iterable[CaseEvent]) -> ConsentTrail:
    trail = ConsentTrail()
    for event in events:
        _replay(trail, event)
    return trail


def _replay(trail: ConsentTrail, event: CaseEvent) -> None:
    if isinstance(event, ConsentGranted):
        consent = event.as_consent()
        trail.ledger.record(consent)
        representative = event.legal_representative or {}
        trail.stories[consent.consent_id] = ConsentStory(
            consent, event.valid_until, event.evidence.get("method"), event.notice_version,
            event.obtained_by, representative.get("representation", "person"),
            _recording(event),
        )  # fmt: skip
    elif isinstance(event, ConsentWithdrawn):
        trail.ledger.withdraw(event.consent_id, event.timestamp)
        story = trail.stories[event.consent_id]
        story.consent = trail.ledger.consents[event.consent_id]
        story.withdrawn, story.withdrawn_on = _recording(event), event.withdrawn_on
    for flow in flows_of(event):
        decision = trail.ledger.check_disclosure(
            flow.recipient, flow.purpose, flow.categories, event.timestamp,
            sender=event.recorded_by,
        )  # fmt: skip
        disclosure = Disclosure(
            event.originator_version, event.timestamp, type(event).__name__, event.recorded_by,
            flow.recipient, flow.purpose, flow.categories, dict(decision.basis),
        )  # fmt: skip
        trail.disclosures.append(disclosure)
        for consent_id in disclosure.consent_ids:
            trail.stories[consent_id].disclosures.append(disclosure)


def _recording(event: Event) -> Recording:
    return Recording(
        event.originator_version, event.timestamp, event.recorded_by, event.token_label
    )


@dataclass(frozen=True)
class Cover:
    """One consent behind a cell of the access matrix."""

    consent_id: str
    expires_at: datetime | None


AccessMatrix = dict[str, dict[Category, list[Cover]]]


def current_access(ledger: ConsentLedger, agencies: Iterable[str], at: datetime) -> AccessMatrix:
    """Who may read which category at `at` under consent, and on which consents.

    Each cell lists every active consent naming the agency and covering the
    category, oldest first: the first is the one the access log names
    (`ConsentLedger.readable_categories`). Expiry counts from its instant on.
    """
    active = sorted(ledger.active(at), key=lambda c: (c.given_on, c.consent_id))
    return {
        agency: {
            category: [
                Cover(c.consent_id, c.expires_at)
                for c in active
                if c.names(agency) and category in c.categories
            ]
            for category in Category
        }
        for agency in sorted(agencies)
    }
