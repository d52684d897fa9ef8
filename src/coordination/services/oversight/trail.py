"""The consent-trail document: what the contract's consent-trail answers.

Consents with their grant, withdrawal and the disclosures each allowed; the
case's access log, split into reads and refusals (an import's entry is neither:
it is a step of the timeline); one timeline of all of it in order; and who may
read what right now. Metadata only: no payloads, no free text.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from uuid import UUID

from consent import EMPTY_STATUTE, Category, Consent, Statute
from consent.basis import Basis, Ground
from coordination.adapters.store.access_log import IMPORTED, AccessEntry
from coordination.domain.case import Case
from coordination.domain.disclosure import EmergencyUse
from coordination.domain.trail import (
    ConsentStory,
    ConsentTrail,
    Cover,
    Disclosure,
    EmergencyStory,
    Recording,
    current_access,
)
from coordination.services.oversight.access import OVERSIGHT_ROLES
from coordination.services.oversight.emergency import emergency_uses


@dataclass(frozen=True)
class TrailConsent:
    consent_id: str
    status: str
    recipients: list[str]
    purposes: list[str]
    categories: list[str]
    given_on: date
    valid_until: date | None
    valid_from: datetime
    expires_at: datetime | None
    ended_at: datetime | None
    evidence_method: str | None
    notice_version: str | None
    obtained_by: str
    disclosers: list[str] | None
    given_by: str
    granted: Recording
    withdrawn: Recording | None
    withdrawn_on: date | None
    disclosures: list[Disclosure]


@dataclass(frozen=True)
class LoggedAccess:
    """One access-log entry of the case."""

    at: datetime
    agency: str
    token_label: str
    role: str
    request_id: str
    action: str
    categories: list[str]
    basis: dict[str, str]
    reason: str | None
    purpose: str | None = None  # the purpose the reader named, if any


@dataclass(frozen=True)
class Step:
    """One step of the timeline: a consent event, a disclosure, a read or a refusal."""

    at: datetime
    step: str  # consent-granted, consent-withdrawn, consent-expired, disclosure, read, ...
    agency: str | None  # who acted; none for an expiry
    categories: list[str]
    version: int | None = None
    consent_id: str | None = None
    recipients: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    basis: dict[str, str] = field(default_factory=dict)
    reason: str | None = None


@dataclass(frozen=True)
class AccessRow:
    agency: str
    lead: bool
    cells: dict[str, list[Cover]]


@dataclass(frozen=True)
class CurrentAccess:
    at: datetime
    categories: list[str]
    agencies: list[AccessRow]


@dataclass(frozen=True)
class TrailDocument:
    case_id: UUID
    municipality: str
    lead_agency: str
    as_at: datetime
    consents: list[TrailConsent]
    unfounded_disclosures: list[Disclosure]
    reads: list[LoggedAccess]
    refused: list[LoggedAccess]
    timeline: list[Step]
    current_access: CurrentAccess
    emergency_accesses: list[EmergencyUse]


def trail_document(
    case: Case, trail: ConsentTrail, entries: list[AccessEntry], at: datetime,
    statute: Statute = EMPTY_STATUTE,
) -> TrailDocument:  # fmt: skip
    logged = [_logged(e) for e in entries]
    return TrailDocument(
        case_id=case.id,
        municipality=case.municipality,
        lead_agency=case.lead_agency,
        as_at=at,
        consents=[_consent(s, at) for s in trail.stories.values()],
        unfounded_disclosures=trail.unfounded,
        reads=[e for e in logged if e.action == "read"],
        refused=[e for e in logged if e.action not in ("read", IMPORTED)],
        timeline=timeline(trail, logged, at, statute),
        current_access=_current_access(case, trail, at),
        emergency_accesses=emergency_uses(trail, entries),
    )


def _consent(story: ConsentStory, at: datetime) -> TrailConsent:
    c = story.consent
    return TrailConsent(
        consent_id=c.consent_id, status=story.status(at), recipients=sorted(c.recipients),
        purposes=names(c.purposes), categories=names(c.categories), given_on=c.given_on,
        valid_until=story.valid_until, valid_from=story.valid_from, expires_at=c.expires_at,
        ended_at=story.ended_at(at), evidence_method=story.evidence_method,
        notice_version=story.notice_version, obtained_by=story.obtained_by,
        disclosers=None if c.disclosers is None else sorted(c.disclosers),
        given_by=story.given_by, granted=story.granted, withdrawn=story.withdrawn,
        withdrawn_on=story.withdrawn_on, disclosures=story.disclosures,
    )  # fmt: skip


def names(values: Iterable[str]) -> list[str]:
    """Vocabulary members (StrEnum) as their plain names, sorted."""
    return sorted(str(v) for v in values)


def _logged(e: AccessEntry) -> LoggedAccess:
    return LoggedAccess(
        e.at, e.agency_id, e.token_label, e.role, e.request_id, e.action,
        sorted(e.categories), {k: str(v) for k, v in e.basis.items()}, e.reason, e.purpose,
    )  # fmt: skip


# Same instant: recorded events first, then an expiry, then log entries. A read
# logged at the instant of a withdrawal or an expiry was already refused by it.
_EVENT, _EXPIRY, _LOG = 0, 1, 2
Keyed = tuple[tuple[datetime, int, int], Step]


def timeline(
    trail: ConsentTrail, logged: Iterable[LoggedAccess], at: datetime,
    statute: Statute = EMPTY_STATUTE,
) -> list[Step]:  # fmt: skip
    """Every step in order. Oversight reads (DPO, lead) show no personal data: they
    are listed under `reads` only, so looking at the trail does not change its story."""
    keyed: list[Keyed] = []
    for story in trail.stories.values():
        keyed.extend(_consent_steps(story, at))
    for emergency in trail.emergencies.values():
        keyed.extend(_emergency_steps(emergency))
    for d in trail.disclosures:
        step = Step(d.at, "disclosure", d.sender, names(d.categories), d.version,
                    recipients=[d.recipient], purposes=[str(d.purpose)],
                    basis={str(k): v for k, v in sorted(d.basis.items())})  # fmt: skip
        keyed.append(((d.at, _EVENT, d.version), step))
    for n, e in enumerate(logged):
        if e.action == "read" and e.basis.get("role") in OVERSIGHT_ROLES:
            continue
        step = Step(e.at, e.action, e.agency, e.categories, basis=e.basis, reason=e.reason,
                    purposes=read_purposes(e, trail, statute))  # fmt: skip
        keyed.append(((e.at, _LOG, n), step))
    return [step for _, step in sorted(keyed, key=itemgetter(0))]


def _consent_steps(story: ConsentStory, at: datetime) -> list[Keyed]:
    c, granted, withdrawn = story.consent, story.granted, story.withdrawn
    steps = [
        (
            (granted.at, _EVENT, granted.version),
            _consent_step("consent-granted", granted.at, granted.agency, granted.version, c),
        )
    ]
    if withdrawn is not None:
        step = _consent_step(
            "consent-withdrawn", withdrawn.at, withdrawn.agency, withdrawn.version, c
        )
        steps.append(((withdrawn.at, _EVENT, withdrawn.version), step))
    expired = _expired_at(story, at)
    if expired is not None:
        steps.append(
            ((expired, _EXPIRY, 0), _consent_step("consent-expired", expired, None, None, c))
        )
    return steps


def read_purposes(e: LoggedAccess, trail: ConsentTrail, statute: Statute) -> list[str]:
    """The purpose a read was made under: the one the reader named, else those of the
    rules and consents it rested on (an emergency access has none of the vocabulary)."""
    if e.action != "read":
        return []
    if e.purpose is not None:
        return [e.purpose]
    found: set[str] = set()
    for basis in {Basis.parse(b) for k, b in e.basis.items() if k != "role"}:
        if basis.ground is Ground.CONSENT and basis.ref in trail.stories:
            found |= {str(p) for p in trail.stories[basis.ref].consent.purposes}
        elif basis.ground is Ground.STATUTE and (rule := statute.rule(basis.ref, e.at)):
            found.add(str(rule.purpose))
    return sorted(found)


def _emergency_steps(story: EmergencyStory) -> list[Keyed]:
    opened = story.opened
    steps = [((opened.at, _EVENT, opened.version),
              Step(opened.at, "emergency-access-opened", opened.agency, [], opened.version,
                   reason=story.justification))]  # fmt: skip
    if (ended := story.ended) is not None:
        step = Step(ended.at, "emergency-access-ended", ended.agency, [], ended.version)
        steps.append(((ended.at, _EVENT, ended.version), step))
    return steps


def _consent_step(
    kind: str, at: datetime, agency: str | None, version: int | None, c: Consent
) -> Step:
    return Step(at, kind, agency, names(c.categories), version, c.consent_id,
                sorted(c.recipients), names(c.purposes))  # fmt: skip


def _expired_at(story: ConsentStory, at: datetime) -> datetime | None:
    """The expiry, if it ended the consent by `at`; None if a withdrawal ended it first."""
    ended = story.ended_at(at)
    withdrawn = story.consent.withdrawn_at
    if ended is None or ended != story.consent.expires_at:
        return None
    return ended if withdrawn is None or withdrawn > ended else None


def _current_access(case: Case, trail: ConsentTrail, at: datetime) -> CurrentAccess:
    matrix = current_access(trail.ledger, case.involved, at)
    rows = [
        AccessRow(
            agency, agency == case.lead_agency, {c.value: covers for c, covers in row.items()}
        )
        for agency, row in matrix.items()
    ]
    return CurrentAccess(at, [c.value for c in Category], rows)
