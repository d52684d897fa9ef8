"""Writes spooled cases, many to a transaction, as `Application.save` would have: the
events sealed already (the spool holds them so), inserted by the application's
recorder, which writes the hash-chain rows in the same transaction, and with them
each case's key row and its access-log entry naming who imported it."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from coordination.adapters.store.access_log import AccessLog
from coordination.adapters.store.recorders import RowWrite
from coordination.adapters.timestamps import stamp
from coordination.application.app import CoordinationApplication
from coordination.application.errors import Contended
from coordination.services.importing.imported_by import ImportedBy
from coordination.services.importing.problems import ImportStopped
from coordination.services.importing.spool import Spooled

log = structlog.get_logger()

# A race is another import of the same cases committing first: looking again settles it.
MAX_ATTEMPTS = 5

# A batch's commit does not wait for PostgreSQL to write its log to disk: that wait was
# held under the events table's lock, by every batch (ADR 0033). An import answers
# only after `durable`, which commits a message to the log and waits for it; the log
# is one sequence, so every batch committed before it is on disk when it returns.
# (A transaction id alone writes nothing, and its commit waits for nothing.)
_NO_WAIT = "SET LOCAL synchronous_commit = off"
_DURABLE = "SELECT pg_logical_emit_message(true, 'coordination-import', 'durable')"

# Which of these cases are stored (every stored event has its row in event_hashes,
# committed with it, and a case's first row is version 1), and which have a destroyed
# key (an erased case). Constant SQL, indexed; ids as each table keeps them.
_LOOK_UP = {
    "postgres": "SELECT case_id, 0 AS erased FROM {p}event_hashes WHERE version = 1"
    " AND case_id IN (SELECT json_array_elements_text(%s::json))"
    " UNION ALL SELECT case_id, 1 FROM {p}case_keys WHERE wrapped IS NULL"
    " AND case_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT case_id, 0 AS erased FROM {p}event_hashes WHERE version = 1"
    " AND case_id IN (SELECT value FROM json_each(%s))"
    " UNION ALL SELECT case_id, 1 FROM {p}case_keys WHERE wrapped IS NULL"
    " AND case_id IN (SELECT value FROM json_each(%s))",
}

# The batch's key rows, one statement. A row there already belongs to a case with no
# stored event (an earlier import that failed after making keys): nothing is sealed
# under its key, so the spooled key replaces it. A destroyed one is never revived.
# (PostgreSQL needs the alias: a bare column there could be the row proposed.)
_KEY_ROWS = {
    "postgres": "INSERT INTO {p}case_keys AS k SELECT r->>0, r->>1, r->>2, NULL, NULL"
    " FROM json_array_elements(%s::json) AS r ON CONFLICT (case_id) DO UPDATE"
    " SET wrapped = excluded.wrapped, created_at = excluded.created_at"
    " WHERE k.destroyed_at IS NULL",
    # `WHERE true` tells SQLite's parser that ON CONFLICT is not a join's ON.
    "sqlite": "INSERT INTO {p}case_keys AS k SELECT value->>0, value->>1, value->>2, NULL, NULL"
    " FROM json_each(%s) WHERE true ON CONFLICT (case_id) DO UPDATE"
    " SET wrapped = excluded.wrapped, created_at = excluded.created_at"
    " WHERE k.destroyed_at IS NULL",
}


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

    def store(self, batch: Sequence[Spooled]) -> Written:
        """Each case whole with its key and its entry, or none of them; a case already
        stored is skipped, never doubled, and gets no second entry."""
        if not batch:
            return Written()
        for _ in range(MAX_ATTEMPTS):
            new = self._not_stored(batch)
            try:
                events = self._insert(new)
            except IntegrityError:
                continue
            return Written(len(new), len(batch) - len(new), events)
        raise Contended

    def durable(self) -> None:
        """Returns once every batch this writer committed is on the server's disk (on
        SQLite each commit is)."""
        db = self.app.db
        if db.dialect == "postgres":
            with db.transaction() as cursor:
                db.run(cursor, _DURABLE)

    def _insert(self, new: list[Spooled]) -> int:
        if not new:
            return 0
        stored = [e for case in new for e in case.events]
        # The key rows and the entries commit in the events' own transaction (no case
        # without its key or its entry, and no key or entry left by a failed batch),
        # written before the events table's lock is taken.
        entries = [self.by.entry(c.case_id, c.line, self.at) for c in new]
        rows = [self._key_rows(new), self.access_log.rows(entries)]
        if self.app.db.dialect == "postgres":
            rows.insert(0, RowWrite(_NO_WAIT, ()))
        self.app.recorder.insert_events(stored, first=rows)
        self._snapshot(new)
        return len(stored)

    def _key_rows(self, new: list[Spooled]) -> RowWrite:
        created = stamp(datetime.now(UTC))
        # In case order: two imports of the same cases lock their key rows alike, and
        # so never each wait for the other (the rows go in before the events' lock).
        ordered = sorted(new, key=lambda c: c.case_id)
        rows = json.dumps([[str(c.case_id), c.wrapped, created] for c in ordered])
        db = self.app.db
        return RowWrite(db.sql(_KEY_ROWS[db.dialect]), (rows,))

    def _snapshot(self, new: list[Spooled]) -> None:
        """The snapshots sealed in the first pass. Like a save's, a snapshot that fails
        is logged and does not fail the committed events."""
        taken = [c.snapshot for c in new if c.snapshot is not None]
        if not taken or self.app.snapshots is None:
            return
        try:
            self.app.snapshots.recorder.insert_events(taken)
        except Exception as error:  # the events are committed; loads replay them instead
            log.warning("snapshots not taken", cases=len(taken), error=type(error).__name__)

    def _not_stored(self, batch: Sequence[Spooled]) -> list[Spooled]:
        ids = [c.case_id for c in batch]
        db = self.app.db
        params = (json.dumps([c.hex for c in ids]), json.dumps([str(c) for c in ids]))
        rows = db.fetch_all(_LOOK_UP[db.dialect], params)
        stored = {UUID(r["case_id"]) for r in rows if not r["erased"]}
        erased = {UUID(r["case_id"]) for r in rows if r["erased"]} - stored
        if erased:
            raise _erased_case(next(c for c in batch if c.case_id in erased))
        return [c for c in batch if c.case_id not in stored]


def _erased_case(case: Spooled) -> ImportStopped:
    return ImportStopped(
        f"line {case.line}: case {case.case_id} was erased (its key is destroyed) and has "
        "no stored event, so it cannot be imported again; nothing of its batch was "
        "written, the batches before it were. Remove the line and run the import again"
    )
