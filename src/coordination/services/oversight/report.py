"""The disclosure report for the person (Art. 15 GDPR): who received or read
which of their data, when, for what purpose, on which consent.

Built from the consent trail and the access log, both metadata. The person's
name is added only for the lead agency's copy (ADR 0007).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consent import EMPTY_STATUTE, Category, Statute
from consent.basis import Basis, Ground
from coordination.adapters.reports.agencies import AgencyContact
from coordination.adapters.store.access_log import AccessEntry
from coordination.domain.case import Case
from coordination.domain.disclosure import (
    AgencyRef,
    DisclosureReport,
    Inspection,
    PersonName,
    ReadSummary,
    Received,
    ReportConsent,
)
from coordination.domain.trail import ConsentStory, ConsentTrail
from coordination.services.oversight.access import OVERSIGHT_ROLES, Overseer
from coordination.services.oversight.emergency import emergency_uses
from coordination.services.oversight.trail import names

# What an emergency access rests on.
VITAL_INTERESTS = "Art. 6 Abs. 1 lit. d, Art. 9 Abs. 2 lit. c DSGVO"


@dataclass(frozen=True)
class DisclosurePaper:
    """The report with what its printed copy needs besides: each agency's name and how
    to reach it, and the person's languages (ISO 639 codes; empty in a copy without
    the name)."""

    report: DisclosureReport
    agencies: dict[str, AgencyContact]
    person_languages: list[str]


def named_in(report: DisclosureReport) -> set[str]:
    """Every agency the report names: those it lists, senders, who asked for it."""
    found = {a.agency_id for a in report.agencies} | {r.sender for r in report.received}
    found |= {e.agency for e in report.emergency_accesses}
    return found | {report.requested_by}


def person_name(case: Case, agency: str, at: datetime) -> tuple[PersonName | None, str | None]:
    """The name for the lead agency's copy, and the consent it is read on (None: own record).

    A lead that took the case over reads the name only while a consent allows it.
    """
    if case.erased or not case.person:
        return None, None  # erased: the name is gone for everyone
    name = PersonName(str(case.person["given_name"]), str(case.person["family_name"]))
    if agency == case.opened_by:
        return name, None
    basis = case.ledger.readable_categories(agency, at, case.opened_by).get(Category.IDENTITY)
    return (name, basis) if basis else (None, None)


def disclosure_report(
    case: Case,
    trail: ConsentTrail,
    entries: Iterable[AccessEntry],
    agency: Callable[[str], AgencyRef],
    requested: tuple[str, Overseer],
    person: PersonName | None,
    at: datetime,
    statute: Statute = EMPTY_STATUTE,
) -> DisclosureReport:
    entries = list(entries)
    received = [
        Received(d.at, d.recipient, d.sender, d.event_type, str(d.purpose),
                 names(d.categories), d.consent_ids, sorted(set(d.norms.values())))
        for d in trail.disclosures
    ]  # fmt: skip
    read, inspections = _reads(trail, entries, statute), _inspections(entries)
    named = {r.agency for r in received} | {r.agency for r in read}
    named |= {i.agency for i in inspections}
    for story in trail.stories.values():
        named |= story.consent.recipients
    return DisclosureReport(
        case_id=case.id, generated_at=at, requested_by=requested[0], requested_as=requested[1],
        person=person, agencies=[agency(a) for a in sorted(named)], received=received,
        read=read, inspections=inspections,
        consents=[_consent(s, at) for s in trail.stories.values()],
        emergency_accesses=emergency_uses(trail, entries),
    )  # fmt: skip


def _reads(trail: ConsentTrail, entries: list[AccessEntry], statute: Statute) -> list[ReadSummary]:
    """Reads counted per agency, category and basis: for a statutory rule, per version
    of it (a read rests on the rule as the book held it then)."""
    times: dict[tuple[str, str, str, tuple[str, str] | None], list[datetime]] = {}
    for e in entries:
        if e.action != "read" or "role" in e.basis:
            continue
        for category, logged in e.basis.items():
            basis = Basis.parse(str(logged))
            key = (e.agency_id, category, str(basis), _rule_as_held(statute, basis, e.at))
            times.setdefault(key, []).append(e.at)
    return [
        _read(agency, category, Basis.parse(basis), rule, trail, at)
        for (agency, category, basis, rule), at in sorted(times.items(), key=_read_order)
    ]


def _rule_as_held(statute: Statute, basis: Basis, at: datetime) -> tuple[str, str] | None:
    """(citation, purpose) of the rule a read rested on, as the book held it then."""
    if basis.ground is not Ground.STATUTE:
        return None
    rule = statute.rule(basis.ref, at)
    return (rule.norm.citation, str(rule.purpose)) if rule else (basis.ref, "")


def _read_order(item: tuple[tuple[str, str, str, tuple[str, str] | None], list[datetime]]) -> Any:
    (agency, category, basis, _), at = item
    return agency, category, basis, min(at)


def _read(
    agency: str, category: str, basis: Basis, rule: tuple[str, str] | None,
    trail: ConsentTrail, at: list[datetime],
) -> ReadSummary:  # fmt: skip
    if basis.ground is Ground.EMERGENCY:
        return ReadSummary(agency, category, None, [], min(at), max(at), len(at),
                           VITAL_INTERESTS, basis.ref)  # fmt: skip
    if rule is not None:
        citation, purpose = rule
        purposes = [purpose] if purpose else []
        return ReadSummary(agency, category, None, purposes, min(at), max(at), len(at), citation)
    story = trail.stories.get(basis.ref)
    purposes = names(story.consent.purposes) if story else []
    return ReadSummary(agency, category, basis.ref, purposes, min(at), max(at), len(at))


def _inspections(entries: list[AccessEntry]) -> list[Inspection]:
    times: dict[tuple[str, str], list[datetime]] = {}
    for e in entries:
        role = e.basis.get("role")
        if e.action == "read" and role and role not in OVERSIGHT_ROLES:
            times.setdefault((e.agency_id, str(role)), []).append(e.at)
    return [
        Inspection(agency, role, min(at), max(at), len(at))
        for (agency, role), at in sorted(times.items())
    ]


def _consent(story: ConsentStory, at: datetime) -> ReportConsent:
    c = story.consent
    withdrawn = c.withdrawn_at if c.withdrawn_at and c.withdrawn_at <= at else None
    ended = story.ended_at(at)
    expired = ended if ended is not None and withdrawn is None else None
    return ReportConsent(
        consent_id=c.consent_id, status=story.status(at), recipients=sorted(c.recipients),
        purposes=names(c.purposes), categories=names(c.categories), given_on=c.given_on,
        valid_until=story.valid_until, granted_at=story.granted.at, withdrawn_at=withdrawn,
        expired_at=expired,
    )  # fmt: skip
