"""Use cases of data-protection oversight.

Each loads the case, checks who asks (the DPO of a controller with a part in it,
who sees that part, or the current lead agency), builds its document from the
history and the access log, and logs the read. The document is built before the
read is logged, so a trail never shows the request that fetched it.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from uuid import UUID

from consent import Category
from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.topics import stored_topics
from coordination.application.app import CoordinationApplication
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.domain.case import (
    Case,
    CaseErased,
    CaseEvent,
    CaseOpened,
    ConsentGranted,
    ConsentWithdrawn,
    EmergencyAccessEnded,
    EmergencyAccessOpened,
)
from coordination.domain.disclosure import AgencyRef, DisclosureReport
from coordination.domain.grounds import Grounds
from coordination.domain.identity import Caller, Role
from coordination.domain.trail import ConsentTrail, consent_trail
from coordination.services.agency_directory import contacts
from coordination.services.controllers import Processing
from coordination.services.grounds import GroundsLookup
from coordination.services.oversight.access import Logbook, Overseer, check_overseer
from coordination.services.oversight.log_search import LogPage, LogSearch
from coordination.services.oversight.overview import (
    Controller,
    Overview,
    overview,
    period_bounds,
)
from coordination.services.oversight.receipts import ReceiptSource
from coordination.services.oversight.report import (
    DisclosurePaper,
    disclosure_report,
    named_in,
    person_name,
)
from coordination.services.oversight.scope import document_of, entries_of, trail_of
from coordination.services.oversight.trail import TrailDocument, trail_document

# The overview reads only the events that open cases, change consents, erase, or open
# and end emergency access.
OVERVIEW_TOPICS = tuple(
    topic
    for event_class in (
        CaseOpened,
        ConsentGranted,
        ConsentWithdrawn,
        CaseErased,
        EmergencyAccessOpened,
        EmergencyAccessEnded,
    )
    for topic in stored_topics(event_class)
)
PAGE = 500


@dataclass(frozen=True)
class Oversight:
    """A case opened for oversight: its history, who looks, and when."""

    case: Case
    events: list[CaseEvent]
    overseer: Overseer
    at: datetime
    part: Processing | None  # a DPO's: their controller's part; None: the whole case

    def trail(self, trail: ConsentTrail) -> ConsentTrail:
        return trail if self.part is None else trail_of(trail, self.part)

    def entries(self, entries: list[AccessEntry]) -> list[AccessEntry]:
        return entries if self.part is None else entries_of(entries, self.part)


class OversightService:
    def __init__(
        self, app: CoordinationApplication, directory: Directory, access_log: AccessLog,
        grounds: GroundsLookup,
    ) -> None:  # fmt: skip
        self.app, self.directory, self.access_log = app, directory, access_log
        self.grounds = grounds
        self.logbook = Logbook(access_log, app.clock)

    def _trail(self, seen: Oversight, grounds: Grounds | None = None) -> ConsentTrail:
        """The case's trail as the overseer may see it."""
        trail = consent_trail(seen.events, grounds or self.grounds.now())
        return seen.trail(trail)

    def consent_trail(self, caller: Caller, case_id: UUID) -> TrailDocument:
        seen = self._oversee(caller, case_id)
        entries = seen.entries(self.access_log.for_case(str(case_id)))
        grounds = self.grounds.now()
        trail = _seen_by(self._trail(seen, grounds), caller, seen.overseer)
        document = trail_document(seen.case, trail, entries, seen.at, grounds.statute)
        if seen.part is not None:
            document = document_of(document, seen.part)
        self.logbook.oversight_read(caller, case_id, seen.overseer)
        return document

    def disclosure_report(self, caller: Caller, case_id: UUID) -> DisclosureReport:
        return self._disclosure(caller, case_id)[0]

    def disclosure_paper(self, caller: Caller, case_id: UUID) -> DisclosurePaper:
        """The report as it is printed: every agency it names with its name and contact
        from the directory; in a copy that carries the name, the person's languages too,
        read with it (identity) on the same basis, so the paper can be in one of them."""
        report, case = self._disclosure(caller, case_id)
        languages = list(case.person.get("languages") or []) if report.person else []
        return DisclosurePaper(report, contacts(self.directory, named_in(report)), languages)

    def _disclosure(self, caller: Caller, case_id: UUID) -> tuple[DisclosureReport, Case]:
        seen = self._oversee(caller, case_id)
        entries = seen.entries(self.access_log.for_case(str(case_id)))
        person, basis = None, None
        if seen.overseer is Overseer.LEAD:  # a DPO's copy carries no name (ADR 0007)
            person, basis = person_name(seen.case, caller.agency_id, seen.at)
        grounds = self.grounds.now()
        trail = _seen_by(self._trail(seen, grounds), caller, seen.overseer)
        report = disclosure_report(
            seen.case, trail, entries, self._agency,
            (caller.agency_id, seen.overseer), person, seen.at, grounds.statute,
        )  # fmt: skip
        log = [self.logbook.entry(caller, case_id, "read", basis={"role": seen.overseer})]
        if basis is not None:  # the name was read under consent: a read like any other
            identity = Category.IDENTITY.value
            log.append(self.logbook.entry(caller, case_id, "read", [identity], {identity: basis}))
        self.access_log.write(*log)
        return report, seen.case

    def consent_receipt(
        self, caller: Caller, case_id: UUID, consent_id: str
    ) -> ReceiptSource | None:
        seen = self._oversee(caller, case_id)
        story = self._trail(seen).stories.get(consent_id)
        if story is None:
            return None
        recipients = [self._agency(r) for r in sorted(story.consent.recipients)]
        source = ReceiptSource(
            case_id, story, self._agency(story.obtained_by), recipients, seen.at,
            self._agency(story.granted.agency),
        )  # fmt: skip
        self.logbook.oversight_read(caller, case_id, seen.overseer)
        return source

    def overview(self, caller: Caller, since: date, until: date) -> Overview:
        """The DPO's own controller's processing only; logged as one read without a case."""
        controller = caller.principal.agency.controller
        place = Controller(
            controller, self._agencies_of(caller), caller.principal.agency.municipality
        )
        place.fold(self._stored(OVERVIEW_TOPICS))
        entries = self.access_log.between(*period_bounds(since, until))
        result = overview(place, entries, since, until, self.app.clock())
        self.logbook.oversight_read(caller, None, Overseer.DPO)
        return result

    def access_entries(
        self, caller: Caller, search: LogSearch, limit: int = 50, below: int | None = None
    ) -> LogPage:
        """The access log of the DPO's controller's agencies, newest first; the search is
        itself logged, with how many entries it showed."""
        if caller.principal.role != Role.DPO:
            raise Forbidden("only data-protection officers search the access log")
        entries, more = self.access_log.search(search.within(self._agencies_of(caller)),
                                               limit, below)  # fmt: skip
        self.access_log.write(AccessEntry.of(
            caller, self.app.clock(), search.case_id, "read",
            basis={"role": Overseer.DPO.value, "results": len(entries)}, reason="access-log",
        ))  # fmt: skip
        return LogPage(entries, more)

    def _agencies_of(self, caller: Caller) -> frozenset[str]:
        controller = caller.principal.agency.controller
        return frozenset(
            a.agency_id for a in self.directory.list_agencies() if a.controller == controller
        )

    def _oversee(self, caller: Caller, case_id: UUID) -> Oversight:
        try:
            case = self.app.get_case(case_id)
        except CaseNotFound:
            self.logbook.refuse(caller, case_id, "no-such-case")
            raise
        overseer, part = check_overseer(case, caller, self.logbook, self.directory.controller_of)
        return Oversight(case, self.app.history(case_id), overseer, self.app.clock(), part)

    def _agency(self, agency_id: str) -> AgencyRef:
        agency = self.directory.get_agency(agency_id)
        if agency is None:  # a consent names only known agencies; keep the id regardless
            return AgencyRef(agency_id, agency_id, "other")
        return AgencyRef(agency_id, agency.name, agency.kind.value, agency.controller)

    def _stored(self, topics: Sequence[str]) -> Iterator[CaseEvent]:
        """Stored events of the given types, in store order, a page at a time."""
        start = 1
        while True:
            page = self.app.recorder.select_notifications(start, PAGE, topics=topics)
            for notification in page:
                yield cast("CaseEvent", self.app.mapper.to_domain_event(notification))
            if len(page) < PAGE:
                return
            start = page[-1].id + 1


def _seen_by(trail: ConsentTrail, caller: Caller, overseer: Overseer) -> ConsentTrail:
    """The lead agency oversees the case but reads no other agency's justification of an
    emergency access (often health data): the DPO reviews it (ADR 0040)."""
    if overseer is Overseer.LEAD:
        for story in trail.emergencies.values():
            if story.opened.agency != caller.agency_id:
                story.justification = None
    return trail
