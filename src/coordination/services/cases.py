"""Use cases as callers see them: writes with idempotency and refusal logging,
reads filtered by consent with every read of another agency's data logged."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from anyio import to_thread

from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.idempotency import IdempotencyRequest, IdempotencyStore
from coordination.application.app import CoordinationApplication, Decision, Recorded
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.domain.case import Case, CaseErased, CaseEvent
from coordination.domain.case_view import view_case
from coordination.domain.catalogue import CATALOGUE, event_data, event_type
from coordination.domain.errors import ConsentRequired
from coordination.domain.identity import Caller, Role
from coordination.domain.visibility import Sight, View, view_event


@dataclass(frozen=True)
class SeenEvent:
    event: CaseEvent
    view: View


class CaseService:
    def __init__(
        self,
        app: CoordinationApplication,
        directory: Directory,
        access_log: AccessLog,
        idempotency: IdempotencyStore,
    ) -> None:
        self.app, self.directory = app, directory
        self.access_log, self.idempotency = access_log, idempotency

    # Writing

    def open_case(
        self, caller: Caller, fields: dict[str, Any], idem: IdempotencyRequest | None
    ) -> Recorded:
        return self._once(idem, lambda: self.app.open_case(caller.actor, idem, **fields))

    def record_event(
        self,
        caller: Caller,
        case_id: UUID,
        kind: str,
        fields: dict[str, Any],
        expected_version: int | None,
        idem: IdempotencyRequest | None,
    ) -> Recorded:
        decide = self._decision(caller, kind, fields)
        return self._once(
            idem, lambda: self._record(caller, case_id, decide, expected_version, idem)
        )

    async def record_event_async(
        self,
        caller: Caller,
        case_id: UUID,
        kind: str,
        fields: dict[str, Any],
        expected_version: int | None,
        idem: IdempotencyRequest | None,
    ) -> Recorded:
        """`record_event` on the event loop (ADR 0028): a case this process holds is decided
        and saved there, no thread waiting; a load, a refusal or a clash goes
        `record_event`'s way in a worker thread, under the same idempotency claim."""
        decide = self._decision(caller, kind, fields)
        with self._claimed(idem):
            try:
                recorded = None
                if self._decidable_on_loop(kind, fields):
                    recorded = await self.app.record_held(
                        case_id, caller.actor, decide, expected_version, idem
                    )
                if recorded is None:
                    recorded = await to_thread.run_sync(
                        self._record, caller, case_id, decide, expected_version, idem
                    )
                return recorded
            except Exception:
                if (replay := await to_thread.run_sync(self._replay, idem)) is None:
                    raise
                return replay

    def _decidable_on_loop(self, kind: str, fields: dict[str, Any]) -> bool:
        # A command that looks agencies up (a consent's recipients) reads the store for
        # one this process has not found before: a thread's work.
        if "is_known_agency" not in CATALOGUE[kind].supplied:
            return True
        return all(self.directory.known(agency) for agency in fields.get("recipients", ()))

    def _decision(self, caller: Caller, kind: str, fields: dict[str, Any]) -> Decision:
        event_type, exists = CATALOGUE[kind], self.directory.exists

        def decide(case: Case, at: datetime) -> object:
            return event_type.decide(case, caller.actor, at, fields, is_known_agency=exists)

        return decide

    def _record(
        self, caller: Caller, case_id: UUID, decide: Decision, expected_version: int | None,
        idem: IdempotencyRequest | None,
    ) -> Recorded:  # fmt: skip
        try:
            return self.app.record(case_id, caller.actor, decide, expected_version, idem)
        except ConsentRequired as refusal:
            self._log(caller, case_id, "refused", refusal.categories, reason=_why(refusal))
            raise
        except CaseNotFound:
            self._log(caller, case_id, "refused", [], reason="no-relation")
            raise

    def _once(self, idem: IdempotencyRequest | None, write: Callable[[], Recorded]) -> Recorded:
        """Write at most once per key. The stored result is looked up only when the write
        fails: a repeated request either clashes on its result row, committed with the
        first event, or is refused by the state that event made (ADR 0024)."""
        with self._claimed(idem):
            try:
                return write()
            except Exception:
                if (replay := self._replay(idem)) is None:
                    raise
                return replay

    @contextmanager
    def _claimed(self, idem: IdempotencyRequest | None) -> Iterator[None]:
        if idem is None:
            yield
            return
        self.idempotency.claim(idem)
        try:
            yield
        finally:
            self.idempotency.release(idem)

    def _replay(self, idem: IdempotencyRequest | None) -> Recorded | None:
        return None if idem is None else self.app.replay(idem)

    # Reading

    def read_case(
        self, caller: Caller, case_id: UUID, version: int | None = None,
        as_of: datetime | None = None,
    ) -> tuple[Case, View]:  # fmt: skip
        self._check_time_travel(caller, case_id, version, as_of)
        if as_of is not None:
            version = self._version_at(case_id, as_of)
        case = self._load(caller, case_id, version)
        if version is not None and case.version != version:
            raise CaseNotFound  # the case has not reached that version
        sight = self._sight(caller, case)
        view = view_case(case, sight)
        self._log_read(caller, case_id, view, sight)
        return case, view

    def read_history(
        self, caller: Caller, case_id: UUID, as_of: datetime | None = None
    ) -> list[SeenEvent]:
        self._check_time_travel(caller, case_id, None, as_of)
        case = self._load(caller, case_id)
        sight = self._sight(caller, case)
        events = [e for e in self.app.history(case_id) if as_of is None or e.timestamp <= as_of]
        seen = [SeenEvent(e, self._view(e, case, sight)) for e in events]
        total = View(None)
        for s in seen:
            total.merge(s.view)
        self._log_read(caller, case_id, total, sight)
        return seen

    def _load(self, caller: Caller, case_id: UUID, version: int | None = None) -> Case:
        try:
            return self.app.get_case(case_id, version)
        except CaseNotFound:
            self._log(caller, case_id, "refused", [], reason="no-such-case")
            raise

    def _view(self, event: CaseEvent, case: Case, sight: Sight) -> View:
        if case.erased and not isinstance(event, CaseErased):
            return View({"erased": True})
        data = event_data(event)
        referral = case.referrals.get(data.get("referral_id", ""))
        route = (
            (referral.from_agency, referral.to_agency, referral.categories) if referral else None
        )
        return view_event(event_type(event), data, event.recorded_by, sight, route)

    def _sight(self, caller: Caller, case: Case) -> Sight:
        role, agency = caller.principal.role, caller.principal.agency
        at = self.app.clock()
        if role in (Role.AUDITOR, Role.DPO):
            if agency.municipality != case.municipality:
                self._log(caller, case.id, "refused", [], reason="other-municipality")
                raise CaseNotFound
            return Sight(agency.agency_id, at, {}, role == Role.AUDITOR, role == Role.DPO)
        if agency.agency_id not in case.involved:
            self._log(caller, case.id, "refused", [], reason="no-relation")
            raise CaseNotFound
        readable = case.ledger.readable_categories(agency.agency_id, at)
        return Sight(agency.agency_id, at, readable)

    def _version_at(self, case_id: UUID, as_of: datetime) -> int:
        versions = [e.originator_version for e in self.app.history(case_id) if e.timestamp <= as_of]
        if not versions:
            raise CaseNotFound
        return versions[-1]

    def _check_time_travel(
        self, caller: Caller, case_id: UUID, version: int | None, as_of: datetime | None
    ) -> None:
        if (version is not None or as_of is not None) and caller.principal.role != Role.AUDITOR:
            self.refuse_role(caller, case_id)
            msg = "only auditors may read a case as it was (as_of, version)"
            raise Forbidden(msg)

    def refuse_role(self, caller: Caller, case_id: UUID) -> None:
        """The caller's role may not do this on the case (403): a refusal like any other."""
        self._log(caller, case_id, "refused", [], reason="forbidden-role")

    def _log_read(self, caller: Caller, case_id: UUID, view: View, sight: Sight) -> None:
        entries = []
        if sight.everything or sight.metadata_only:
            role = caller.principal.role.value
            entries.append(self._entry(caller, case_id, "read", [], basis={"role": role}))
        if view.read:
            basis = {c.value: consent for c, consent in view.read.items()}
            entries.append(self._entry(caller, case_id, "read", list(view.read), basis))
        if view.withheld and not sight.metadata_only:
            withheld = list(view.withheld)
            entries.append(self._entry(caller, case_id, "withheld", withheld, reason="no-consent"))
        if entries:
            self.access_log.write(*entries)

    def _log(
        self, caller: Caller, case_id: UUID, action: str, categories: list[str], reason: str
    ) -> None:
        self.access_log.write(self._entry(caller, case_id, action, categories, reason=reason))

    def _entry(
        self, caller: Caller, case_id: UUID, action: str, categories: list[Any],
        basis: dict[str, Any] | None = None, reason: str | None = None,
    ) -> AccessEntry:  # fmt: skip
        return AccessEntry(
            at=self.app.clock(), agency_id=caller.agency_id,
            token_label=caller.principal.token_label, role=caller.principal.role.value,
            request_id=caller.request_id, case_id=str(case_id), action=action,
            categories=[str(c) for c in categories], basis=basis or {}, reason=reason,
        )  # fmt: skip


def _why(refusal: ConsentRequired) -> str:
    return f"consent-required: {refusal.recipient} for {refusal.purpose}"
