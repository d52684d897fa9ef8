"""Erasure (Art. 17 GDPR) by crypto-shredding: record it, then destroy the case key.

The CaseErased event commits together with deleting the case's idempotency
results. Destroying the key afterwards makes every sealed field of the case
unreadable everywhere at once: events, the caseload view, backups. A repeated
request finishes an erasure whose key survived a crash, and changes nothing else.
"""

from dataclasses import dataclass
from uuid import UUID

from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.recorders import RowWrite
from coordination.application.app import CoordinationApplication, Recorded
from coordination.application.errors import CaseNotFound
from coordination.application.pipeline import Write
from coordination.domain.case import Case, CaseErased
from coordination.domain.identity import Caller


@dataclass(frozen=True)
class Erasure:
    case_id: UUID
    version: int
    position: int
    erased_at: str
    new: bool


class ErasureService:
    def __init__(self, app: CoordinationApplication, access_log: AccessLog) -> None:
        self.app, self.access_log = app, access_log

    def erase(self, caller: Caller, case_id: UUID, reason: str, legal_basis: str) -> Erasure:
        case = self._case_of_my_municipality(caller, case_id)
        if case.erased:
            self.app.keys.destroy(case_id)
            return self._earlier(case_id)
        purge = RowWrite(
            self.app.db.sql("DELETE FROM {p}idempotency_results WHERE case_id = %s"),
            (str(case_id),),
        )
        # The log entry commits with the event: an erasure is never done but unlogged.
        logged = self.access_log.row(self._entry(caller, case_id, "erased", legal_basis))
        recorded = self.app.record(Write(
            case_id, caller.actor,
            lambda c, at: c.erase(caller.actor, at, reason=reason, legal_basis=legal_basis),
            related_only=False, also=(purge, logged),
        ))  # fmt: skip
        self.app.keys.destroy(case_id)
        return self._erasure(recorded, new=True)

    def _case_of_my_municipality(self, caller: Caller, case_id: UUID) -> Case:
        try:
            case = self.app.get_case(case_id)
        except CaseNotFound:
            self._log(caller, case_id, "refused", "no-such-case")
            raise
        if case.municipality != caller.principal.agency.municipality:
            self._log(caller, case_id, "refused", "other-municipality")
            raise CaseNotFound
        return case

    def _earlier(self, case_id: UUID) -> Erasure:
        event = next(e for e in self.app.history(case_id) if isinstance(e, CaseErased))
        position = self.app.position_of(case_id, event.originator_version)
        recorded = Recorded(case_id, event.originator_version, position, event)
        return self._erasure(recorded, new=False)

    @staticmethod
    def _erasure(recorded: Recorded, new: bool) -> Erasure:
        at = recorded.event.timestamp.isoformat()
        return Erasure(recorded.case_id, recorded.version, recorded.position, at, new)

    def _log(self, caller: Caller, case_id: UUID, action: str, reason: str) -> None:
        self.access_log.write(self._entry(caller, case_id, action, reason))

    def _entry(self, caller: Caller, case_id: UUID, action: str, reason: str) -> AccessEntry:
        return AccessEntry(
            at=self.app.clock(), agency_id=caller.agency_id,
            token_label=caller.principal.token_label, role=caller.principal.role.value,
            request_id=caller.request_id, case_id=str(case_id), action=action, reason=reason,
        )  # fmt: skip
