"""Erasure (Art. 17 GDPR) by crypto-shredding, one controller's part at a time (ADR 0042).

A data-protection officer erases the part of their controller: what its agencies
recorded on the case. The CaseErased event commits together with deleting the part's
idempotency results and the case's snapshots (which hold every part). Destroying the
part's key afterwards makes its sealed fields unreadable everywhere at once: events,
the caseload view, backups. A retention rule in force for the kind of one of the
controller's agencies keeps the part instead, restricted, and the event says which.
The part of the controller that opened the case holds the case's opening: erasing it
erases the case, for every agency. A repeated request finishes an erasure whose key
survived a crash, and changes nothing else.
"""

import json
from dataclasses import dataclass
from uuid import UUID, uuid4

from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.erasure_requests import ErasureRequest, ErasureRequests
from coordination.adapters.store.keys import SNAPSHOT_PART
from coordination.adapters.store.recorders import RowWrite
from coordination.application.app import CoordinationApplication, Recorded
from coordination.application.errors import CaseNotFound
from coordination.application.pipeline import Write
from coordination.domain.case import Case, CaseErased
from coordination.domain.errors import DomainError
from coordination.domain.identity import AgencyKind, Caller
from coordination.domain.retention import Retention
from coordination.services.controllers import Processing, other_parts, processing

# An erased case is no one's possible duplicate any more (ADR 0059).
_PAIRS = "DELETE FROM {p}possible_duplicates WHERE case_id = %s OR earlier_case_id = %s"
_RESULTS = "DELETE FROM {p}idempotency_results WHERE case_id = %s"
_ERASED_PART = (
    "INSERT INTO {p}erased_parts VALUES (%s, %s) ON CONFLICT (case_id, controller) DO NOTHING"
)
_PART_RESULTS = {
    "postgres": "DELETE FROM {p}idempotency_results WHERE case_id = %s"
    " AND agency_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "DELETE FROM {p}idempotency_results WHERE case_id = %s"
    " AND agency_id IN (SELECT value FROM json_each(%s))",
}


@dataclass(frozen=True)
class Erasure:
    case_id: UUID
    version: int
    position: int
    erased_at: str
    new: bool
    whole: bool
    kept_under: dict[str, str] | None
    left_to: list[str]


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure by the caller would do, for the confirmation it asks for."""

    case_id: UUID
    controller: str
    agencies: list[str]  # the controller's agencies that took part
    whole: bool  # the controller's agency opened the case: all of it goes
    kept_under: dict[str, str] | None  # a retention rule in force keeps the part
    left_to: list[str]  # of a whole erasure: controllers whose parts remain
    erased_before: bool


class SecondPersonRequired(DomainError):
    """Four eyes: who asked for an erasure may not approve or reject it."""

    def __init__(self) -> None:
        super().__init__("a second person of the controller decides on this erasure")


class RequestDecided(DomainError):
    def __init__(self) -> None:
        super().__init__("this erasure request was decided already")


class ErasureService:
    def __init__(
        self, app: CoordinationApplication, directory: Directory, access_log: AccessLog,
        retention: Retention, requests: ErasureRequests | None = None,
        needs_approval: bool = False,
    ) -> None:  # fmt: skip
        self.app, self.directory, self.access_log = app, directory, access_log
        self.retention = retention
        self.requests = requests or ErasureRequests(app.db)
        self.needs_approval = needs_approval

    # Four eyes (ADR 0052): where a deployment asks for it, a DPO's erasure is a request
    # until a second person of the same controller approves it.

    def ask(
        self, caller: Caller, case_id: UUID, reason: str, legal_basis: str
    ) -> Erasure | ErasureRequest:
        """The erasure, or, where a second person must approve it, its request (the open
        one of the case, if there is one already)."""
        if not self.needs_approval:
            return self.erase(caller, case_id, reason, legal_basis)
        case, part = self._my_part(caller, case_id)
        if _erased_before(case, part):
            return self.erase(caller, case_id, reason, legal_basis)  # finishes, changes nothing
        waiting = self.requests.open_for_case(str(case_id), part.controller)
        if waiting is not None:
            return waiting
        request = ErasureRequest(
            f"er-{uuid4().hex[:16]}", str(case_id), part.controller, reason, legal_basis,
            _person(caller), caller.agency_id, self.app.clock(),
        )  # fmt: skip
        self.requests.add(request)
        self._log(caller, case_id, "erasure-requested", legal_basis)
        return request

    def waiting(self, caller: Caller) -> list[ErasureRequest]:
        """The requests of the caller's controller that wait for a decision."""
        return self.requests.open_for(caller.principal.agency.controller)

    def request(self, caller: Caller, request_id: str) -> ErasureRequest:
        """A request of the caller's controller; CaseNotFound for any other."""
        found = self.requests.get(request_id)
        if found is None or found.controller != caller.principal.agency.controller:
            raise CaseNotFound
        return found

    def approve(self, caller: Caller, request_id: str) -> Erasure:
        request = self._deciding(caller, request_id)
        if not self.requests.decide(request_id, _person(caller), self.app.clock(), "approved"):
            raise RequestDecided
        case_id = UUID(request.case_id)
        return self.erase(caller, case_id, request.reason, request.legal_basis)

    def reject(self, caller: Caller, request_id: str) -> ErasureRequest:
        request = self._deciding(caller, request_id)
        if not self.requests.decide(request_id, _person(caller), self.app.clock(), "rejected"):
            raise RequestDecided
        self._log(caller, UUID(request.case_id), "erasure-rejected", request.legal_basis)
        return self.request(caller, request_id)

    def _deciding(self, caller: Caller, request_id: str) -> ErasureRequest:
        request = self.request(caller, request_id)
        if request.decided_at is not None:
            raise RequestDecided
        if request.requested_by == _person(caller):
            raise SecondPersonRequired
        return request

    def plan(self, caller: Caller, case_id: UUID) -> ErasurePlan:
        """What `erase` would destroy or keep; changes nothing, and is logged as a read
        of the case's metadata."""
        case, part = self._my_part(caller, case_id)
        rule = self.retention.keeping(self._kinds(part))
        others = other_parts(case, part.controller, self.directory.controller_of)
        self.access_log.write(AccessEntry.of(
            caller, self.app.clock(), case_id, "read",
            basis={"role": caller.principal.role.value}, reason="erasure-plan",
        ))  # fmt: skip
        return ErasurePlan(
            case_id, part.controller, sorted(part.agencies), part.opened,
            rule.kept_under(self.app.clock().date()) if rule else None,
            sorted(others) if part.opened else [],
            _erased_before(case, part),
        )  # fmt: skip

    def erase(self, caller: Caller, case_id: UUID, reason: str, legal_basis: str) -> Erasure:
        case, part = self._my_part(caller, case_id)
        if _erased_before(case, part):
            earlier = self._earlier(case_id, part.controller)
            self._shred(case_id, part, earlier.whole, earlier.kept_under)
            return earlier
        rule = self.retention.keeping(self._kinds(part))
        kept = rule.kept_under(self.app.clock().date()) if rule else None
        others = other_parts(case, part.controller, self.directory.controller_of)
        left_to = sorted(others) if part.opened else []
        # The log entry commits with the event: an erasure is never done but unlogged.
        logged = self.access_log.row(self._entry(caller, case_id, "erased", legal_basis))
        recorded = self.app.record(Write(
            case_id, caller.actor,
            lambda c, at: c.erase(
                caller.actor, at, reason=reason, legal_basis=legal_basis, whole=part.opened,
                kept_under=kept, left_to=left_to,
            ),
            related_only=False, also=(*self._purges(case_id, part), logged),
        ))  # fmt: skip
        # The case as the erasure left it in memory still holds the part's data (the event
        # cannot know which fields were the part's): the next write loads it anew, with
        # the part's fields erased, and no snapshot is taken from the old copy.
        self.app.latest.take(case_id)
        self._shred(case_id, part, part.opened, kept)
        return self._erasure(recorded, new=True)

    def _my_part(self, caller: Caller, case_id: UUID) -> tuple[Case, Processing]:
        """The case and the caller's controller's part; 404 for a case it has no part in."""
        try:
            case = self.app.get_case(case_id)
        except CaseNotFound:
            self._log(caller, case_id, "refused", "no-such-case")
            raise
        part = processing(case, caller.principal.agency.controller, self.directory.controller_of)
        if not part.any:
            self._log(caller, case_id, "refused", "other-controller")
            raise CaseNotFound
        return case, part

    def _kinds(self, part: Processing) -> set[AgencyKind]:
        agencies = (self.directory.get_agency(a) for a in part.agencies)
        return {a.kind for a in agencies if a is not None}

    def _purges(self, case_id: UUID, part: Processing) -> list[RowWrite]:
        db = self.app.db
        if part.opened:
            purges = [RowWrite(db.sql(_RESULTS), (str(case_id),)),
                      RowWrite(db.sql(_PAIRS), (str(case_id), str(case_id)))]  # fmt: skip
        else:  # the rest of the case goes on: only the part's own results go
            agencies = json.dumps(sorted(part.agencies))
            purges = [
                RowWrite(db.sql(_PART_RESULTS[db.dialect]), (str(case_id), agencies)),
                RowWrite(db.sql(_ERASED_PART), (str(case_id), part.controller)),
            ]
            # A snapshot sealed before parts existed is under the case's first key, which
            # this erasure keeps: it goes. (A whole erasure destroys that key.)
            table = self.app.snapshots.recorder.events_table_name  # type: ignore[union-attr]
            delete = "DELETE FROM {p}" + table + " WHERE originator_id = %s"  # noqa: S608
            purges.append(RowWrite(db.sql(delete), (str(case_id),)))
        return purges

    def _shred(
        self, case_id: UUID, part: Processing, whole: bool, kept: dict[str, str] | None
    ) -> None:
        """Destroy the part's keys, unless a retention rule keeps them. A snapshot holds
        every part: a whole erasure destroys the snapshots' key (no snapshot is taken
        again), a partial one renews it (later snapshots hold the part erased)."""
        if kept is None:
            self.app.keys.destroy(case_id, part.controller)
            if whole:
                self.app.keys.destroy(case_id)
        if whole:
            self.app.keys.destroy(case_id, SNAPSHOT_PART)
        else:
            self.app.keys.renew(case_id, SNAPSHOT_PART)

    def _earlier(self, case_id: UUID, controller: str) -> Erasure:
        event = next(
            e for e in self.app.history(case_id)
            if isinstance(e, CaseErased) and e.controller in (controller, "")
        )  # fmt: skip
        position = self.app.position_of(case_id, event.originator_version)
        recorded = Recorded(case_id, event.originator_version, position, event)
        return self._erasure(recorded, new=False)

    @staticmethod
    def _erasure(recorded: Recorded, new: bool) -> Erasure:
        event = recorded.event
        assert isinstance(event, CaseErased)
        at = event.timestamp.isoformat()
        return Erasure(
            recorded.case_id, recorded.version, recorded.position, at, new, event.whole,
            event.kept_under, event.left_to,
        )  # fmt: skip

    def _log(self, caller: Caller, case_id: UUID, action: str, reason: str) -> None:
        self.access_log.write(self._entry(caller, case_id, action, reason))

    def _entry(self, caller: Caller, case_id: UUID, action: str, reason: str) -> AccessEntry:
        return AccessEntry.of(caller, self.app.clock(), case_id, action, reason=reason)


def _person(caller: Caller) -> str:
    """Who acted, for four eyes: the account of a person, or the token of a system."""
    return caller.principal.user or f"token:{caller.principal.token_label}"


def _erased_before(case: Case, part: Processing) -> bool:
    """The part was erased already: by its own erasure, or with the whole case."""
    return part.controller in case.erased_parts or (case.erased and part.opened)
