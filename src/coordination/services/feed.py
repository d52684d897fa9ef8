"""The change feed as an agency's system reads it: the events of the cases its agency is
related to, in store order, each as a read of the case would show it now. Reading a
page reads its cases, so every page is on the access log like any read."""

from dataclasses import dataclass
from itertools import groupby
from typing import Any
from uuid import UUID

from coordination.application.errors import CaseNotFound
from coordination.contract.events import feed_item_out
from coordination.domain.identity import Caller
from coordination.services.cases import CaseService, SeenEvent
from projections.feed.view import Entry, FeedView

MAX_LIMIT = 200


@dataclass(frozen=True)
class FeedItem:
    number: int  # in the agency's own feed: 1, 2, 3 …
    case_id: UUID
    seen: SeenEvent

    def out(self) -> dict[str, Any]:
        """As the contract shows it: in a page, a stream, and a webhook's delivery."""
        return feed_item_out(self.number, self.case_id, self.seen.event, self.seen.view)


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    last: int  # the number to continue after


class FeedService:
    def __init__(self, view: FeedView, cases: CaseService) -> None:
        self.view, self.cases = view, cases

    def page(self, caller: Caller, after: int, limit: int) -> FeedPage:
        """Up to `limit` entries after `after`. The entries of a case the agency may no
        longer read (its part erased) are left out; the page still moves past them."""
        agency = caller.principal.agency.agency_id
        entries = self.view.entries(agency, after, min(limit, MAX_LIMIT))
        items: list[FeedItem] = []
        for case, run in groupby(entries, key=lambda e: e.case_id):
            numbered = list(run)
            items += self._read(caller, UUID(case), numbered)
        return FeedPage(items, entries[-1].number if entries else after)

    def item(self, caller: Caller, entry: Entry) -> FeedItem | None:
        """One entry as a page would show it now; None if the case is no longer readable."""
        found = self._read(caller, UUID(entry.case_id), [entry])
        return found[0] if found else None

    def has_news(self, caller: Caller, after: int) -> bool:
        """Whether the agency's feed holds an entry after `after` (no read: no log)."""
        return self.view.last(caller.principal.agency.agency_id) > after

    def _read(self, caller: Caller, case_id: UUID, numbered: list[Entry]) -> list[FeedItem]:
        first, last = numbered[0].version, numbered[-1].version
        try:
            seen = self.cases.read_history(caller, case_id, after=first - 1, upto=last)
        except CaseNotFound:  # refused and logged as a read of the case would be
            return []
        by_version = {s.event.originator_version: s for s in seen}
        return [FeedItem(e.number, case_id, by_version[e.version])
                for e in numbered if e.version in by_version]  # fmt: skip
