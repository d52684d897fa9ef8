"""The consent trail of one case, derived from its history and the statutory rule
book: pure, no I/O.

An event that sends data to another agency does not store the basis that allowed
it. Replaying the case's consent events in order and asking, at the event's own
instant, the rule book as it stood then and the ledger the question its command
asked when it was decided gives the same answer on every replay: the basis of each
disclosure, a statutory rule or a consent.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from consent import Category, Consent, ConsentLedger, ConsentStatus, Purpose, start_of_day
from consent.basis import Basis, Ground
from coordination.domain.case import (
    CaseEvent,
    ConsentGranted,
    ConsentWithdrawn,
    EmergencyAccessEnded,
    EmergencyAccessOpened,
    Event,
)
from coordination.domain.flows import Flow
from coordination.domain.grounds import NO_STATUTE, Grounds, founding
from coordination.domain.parts import closes_at


def flows_of(event: CaseEvent) -> list[Flow]:
    """The disclosures an event made: the ones its command checked (declared on its class)."""
    if isinstance(event, Event):
        return type(event).flows(event.recorded_by, vars(event))
    return []


@dataclass(frozen=True)
class Disclosure:
    """One flow of one event, with the basis of each category: a consent's id, or
    "statute:<rule id>" (`consent.basis`), and the norm of each statutory one."""

    version: int
    at: datetime
    event_type: str
    sender: str
    recipient: str
    purpose: Purpose
    categories: tuple[Category, ...]
    basis: Mapping[Category, str]
    norms: Mapping[Category, str] = field(default_factory=dict)

    @property
    def founded(self) -> bool:
        return set(self.categories) <= self.basis.keys()

    @property
    def consent_ids(self) -> list[str]:
        bases = (Basis.parse(b) for b in self.basis.values())
        return sorted({b.ref for b in bases if b.ground is Ground.CONSENT})


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
class EmergencyStory:
    """One emergency access: who opened it, why, until when, and its end if ended."""

    access_id: str
    opened: Recording
    justification: str | None  # None once the case is erased
    until: datetime
    ended: Recording | None = None

    @property
    def closes_at(self) -> datetime:
        return closes_at(self.until, self.ended.at if self.ended else None)


@dataclass
class ConsentTrail:
    stories: dict[str, ConsentStory] = field(default_factory=dict)  # in order of grant
    emergencies: dict[str, EmergencyStory] = field(default_factory=dict)  # in order opened
    disclosures: list[Disclosure] = field(default_factory=list)  # in order of recording
    ledger: ConsentLedger = field(default_factory=ConsentLedger)

    @property
    def unfounded(self) -> list[Disclosure]:
        """Disclosures no consent covered when they were recorded: should stay empty."""
        return [d for d in self.disclosures if not d.founded]


def consent_trail(events: Iterable[CaseEvent], grounds: Grounds = NO_STATUTE) -> ConsentTrail:
    trail = ConsentTrail()
    for event in events:
        _replay(trail, event, grounds)
    return trail


def _replay(trail: ConsentTrail, event: CaseEvent, grounds: Grounds) -> None:
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
    elif isinstance(event, EmergencyAccessOpened):
        trail.emergencies[event.access_id] = EmergencyStory(
            event.access_id, _recording(event), event.justification, event.until
        )
    elif isinstance(event, EmergencyAccessEnded):
        trail.emergencies[event.access_id].ended = _recording(event)
    for flow in flows_of(event):
        disclosure = _disclosure(trail, event, flow, grounds)
        trail.disclosures.append(disclosure)
        for consent_id in disclosure.consent_ids:
            trail.stories[consent_id].disclosures.append(disclosure)


def _disclosure(trail: ConsentTrail, event: CaseEvent, flow: Flow, grounds: Grounds) -> Disclosure:
    """The question the command asked (`grounds.founding`), asked again."""
    at = event.timestamp
    found = founding(flow, event.recorded_by, trail.ledger, grounds, at)
    return Disclosure(
        event.originator_version, at, type(event).__name__, event.recorded_by, flow.recipient,
        flow.purpose, flow.categories, found.bases,
        {c: r.norm.citation for c, r in found.by_law.items()},
    )  # fmt: skip


def _recording(event: Event) -> Recording:
    return Recording(
        event.originator_version, event.timestamp, event.recorded_by, event.token_label
    )


@dataclass(frozen=True)
class Cover:
    """One consent behind a cell of the access matrix (its disclosers, if it names any,
    are in the trail's consents)."""

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
