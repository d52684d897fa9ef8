"""Writes built cases, many to a transaction, the way `Application.save` would: sealed
by the application's mapper with each case's key, inserted by its recorder, which
writes the hash-chain rows in the same transaction, and with them each case's
access-log entry naming who imported it."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from coordination import snapshots
from coordination.application import CoordinationApplication
from coordination.domain.case import Case
from coordination.errors import Contended
from coordination.importing.imported_by import ImportedBy
from coordination.store.access_log import AccessLog

log = structlog.get_logger()

# A race is another import of the same cases committing first: looking again settles it.
MAX_ATTEMPTS = 5

# Which of these cases are stored: every stored event has its row in event_hashes,
# committed with it, and a case's first row is version 1 (constant SQL, indexed).
_STORED = {
    "postgres": "SELECT case_id FROM {p}event_hashes WHERE version = 1"
    " AND case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id FROM {p}event_hashes WHERE version = 1"
    " AND case_id IN (SELECT value FROM json_each(%s))",
}


@dataclass(frozen=True)
class Built:
    """A case built from the input, and the line it came from."""

    line: int
    case: Case


@dataclass(frozen=True)
class Written:
    imported: int = 0
    skipped: int = 0  # already in the store: a re-run, or a resumed import
    events: int = 0

    def __add__(self, other: "Written") -> "Written":
        return Written(self.imported + other.imported, self.skipped + other.skipped,
                       self.events + other.events)  # fmt: skip


class CaseWriter:
    """Writes for one importer; `at` is the import's instant, the time of its entries."""

    def __init__(
        self, app: CoordinationApplication, access_log: AccessLog, by: ImportedBy, at: datetime
    ) -> None:
        self.app, self.access_log, self.by, self.at = app, access_log, by, at

    def store(self, built: Sequence[Built]) -> Written:
        """Each case whole with its entry, or neither; a case already stored is skipped,
        never doubled, and gets no second entry."""
        if not built:
            return Written()
        for _ in range(MAX_ATTEMPTS):
            stored = self._stored([b.case.id for b in built])
            new = [b for b in built if b.case.id not in stored]
            try:
                events = self._insert(new)
            except IntegrityError:
                continue
            return Written(len(new), len(built) - len(new), events)
        raise Contended

    def _insert(self, built: list[Built]) -> int:
        if not built:
            return 0
        cases = [b.case for b in built]
        self.app.keys.create_many([c.id for c in cases])
        mapper = self.app.mapper
        stored = [mapper.to_stored_event(e) for c in cases for e in c.pending_events]
        # The entries commit in the events' own transaction: no case without its entry.
        entries = [self.access_log.row(self.by.entry(b.case.id, b.line, self.at)) for b in built]
        self.app.recorder.insert_events(stored, also=entries)
        self._snapshot(cases)
        return len(stored)

    def _snapshot(self, cases: list[Case]) -> None:
        """A snapshot of each long case, which `Application.save` would have taken and the
        import bypasses: from the case in memory, at its last version. Like a save's, a
        snapshot that fails is logged and does not fail the committed events."""
        interval = (self.app.snapshotting_intervals or {}).get(Case)
        if not interval or self.app.snapshots is None:
            return
        long = [c for c in cases if c.version >= interval]
        try:
            if long:
                self.app.snapshots.put([snapshots.take(c) for c in long])
        except Exception as error:  # the events are committed; loads replay them instead
            log.warning("snapshots not taken", cases=len(long), error=type(error).__name__)

    def _stored(self, case_ids: list[UUID]) -> set[UUID]:
        db = self.app.db
        rows = db.fetch_all(_STORED[db.dialect], (json.dumps([c.hex for c in case_ids]),))
        return {UUID(r["case_id"]) for r in rows}
