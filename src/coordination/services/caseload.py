"""Reading caseloads: who may read whose, read-your-writes, and the access log."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.directory import Directory
from coordination.application.app import CoordinationApplication
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.domain.identity import Caller, Role
from coordination.services.read_your_writes import wait_until_taken_in
from projections.caseload.as_of import caseload_as_of
from projections.caseload.query import (
    BadCursor,
    CaseloadItem,
    CaseloadQuery,
    decode_cursor,
    read_page,
)
from projections.caseload.view import CaseloadView

_ERASED = {
    "postgres": "SELECT case_id FROM {p}erased_parts WHERE controller = %s"
    " AND case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id FROM {p}erased_parts WHERE controller = %s"
    " AND case_id IN (SELECT value FROM json_each(%s))",
}


@dataclass(frozen=True)
class CaseloadPage:
    items: list[CaseloadItem]
    next_cursor: str | None
    position: int


@dataclass(frozen=True)
class CaseloadRequest:
    agency: str | None = None
    role: str | None = None
    overdue: bool = False
    limit: int = 50
    cursor: str | None = None
    min_position: int | None = None
    as_of: datetime | None = None  # auditors: as it stood then, rebuilt from the events


def digest(items: list[CaseloadItem]) -> str:
    """What a caseload page's fingerprint is made of: ids, open referrals, whether action
    is needed, last changes; no names."""
    seen = [(i.case_id, i.open_referrals, i.action_needed, i.last_event_at) for i in items]
    return hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:32]


class AsOfInTheFuture(ValueError):
    """A caseload at a later instant is not known yet: events may still be recorded."""


class CaseloadService:
    def __init__(
        self, app: CoordinationApplication, view: CaseloadView, directory: Directory,
        access_log: AccessLog, wait_seconds: float,
    ) -> None:  # fmt: skip
        self.app, self.view, self.directory = app, view, directory
        self.access_log, self.wait_seconds = access_log, wait_seconds

    def read(self, caller: Caller, r: CaseloadRequest) -> CaseloadPage:
        if r.as_of is not None and caller.principal.role != Role.AUDITOR:
            raise Forbidden("only auditors may read a caseload as it stood (as_of)")
        agency = self._whose(caller, r.agency)
        if r.as_of is not None:
            return self._read_as_of(caller, agency, r, r.as_of)
        wait_until_taken_in(self.app, self.view, r.min_position, self.wait_seconds)
        position = self.view.position(self.app.name)
        after, now = decode_cursor(r.cursor) if r.cursor else (None, self.app.clock())
        query = CaseloadQuery(agency, now, r.role, r.overdue, r.limit, after)
        items, next_cursor = read_page(self.view, query)
        items = self._without_erased_parts(agency, items)
        self._log(caller, items)
        return CaseloadPage(items, next_cursor, position)

    def fingerprint(self, caller: Caller, role: str | None, limit: int = 200) -> str:
        """A digest of the first `limit` cases of the caseload in `role`: their ids, open
        referrals and last changes, not their names. A page that keeps itself fresh asks
        for it and reads (and logs) names only when it changed."""
        query = CaseloadQuery(caller.agency_id, self.app.clock(), role, False, limit, None)
        items, _ = read_page(self.view, query)
        return digest(self._without_erased_parts(caller.agency_id, items))

    def _read_as_of(
        self, caller: Caller, agency: str, r: CaseloadRequest, at: datetime
    ) -> CaseloadPage:
        """Rebuilt per request, page 2 as well; the position is the store's head
        that the rebuild read, as `min_position` means nothing here."""
        if at > self._now():
            raise AsOfInTheFuture("as_of lies in the future")
        after, judged_at = decode_cursor(r.cursor) if r.cursor else (None, at)
        if judged_at != at:
            raise BadCursor("the cursor belongs to a read at another as_of")
        query = CaseloadQuery(agency, at, r.role, r.overdue, r.limit, after)
        page = caseload_as_of(self.app, query)
        items = self._without_erased_parts(agency, page.items)
        self._log(caller, items, reason="caseload-as-of")
        return CaseloadPage(items, page.next_cursor, page.position)

    def _without_erased_parts(
        self, agency_id: str, items: list[CaseloadItem]
    ) -> list[CaseloadItem]:
        """Leaves out the cases whose part of the agency's controller was erased: its
        processing of them ended (ADR 0042). A page may come out shorter."""
        agency = self.directory.get_agency(agency_id)
        if agency is None or not items:
            return items
        ids = json.dumps([item.case_id for item in items])
        rows = self.app.db.fetch_all(_ERASED[self.app.db.dialect], (agency.controller, ids))
        erased = {row["case_id"] for row in rows}
        return [item for item in items if item.case_id not in erased]

    def _whose(self, caller: Caller, asked: str | None) -> str:
        """Caseworkers read their own agency's; auditors name one of their municipality."""
        own = caller.principal.agency
        if caller.principal.role != Role.AUDITOR:
            if asked not in (None, own.agency_id):
                raise Forbidden("a caseworker reads its own agency's caseload")
            return own.agency_id
        if asked is None:
            raise Forbidden("an auditor names the agency: ?agency=")
        target = self.directory.get_agency(asked)
        if target is None or target.municipality != own.municipality:
            raise CaseNotFound
        return target.agency_id

    def _log(self, caller: Caller, items: list[CaseloadItem], reason: str = "caseload") -> None:
        auditor = caller.principal.role == Role.AUDITOR
        entries = [
            self._entry(
                caller, item, {"role": "auditor"} if auditor else {"identity": basis}, reason
            )
            for item in items
            if auditor or (basis := item.identity_basis) is not None
        ]
        if entries:
            self.access_log.write(*entries)

    def _entry(
        self, caller: Caller, item: CaseloadItem, basis: dict[str, object], reason: str
    ) -> AccessEntry:
        categories = ["identity"] if item.display_name is not None else []
        return AccessEntry.of(
            caller, self._now(), item.case_id, "read", categories=categories, basis=basis,
            reason=reason,
        )  # fmt: skip

    def _now(self) -> datetime:
        return self.app.clock()
