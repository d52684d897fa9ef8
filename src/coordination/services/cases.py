"""Use cases as callers see them: writes with idempotency and refusal logging,
reads filtered by consent with every read of another agency's data logged."""

from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from anyio import to_thread

from consent import Purpose
from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.idempotency import IdempotencyRequest
from coordination.application.app import CoordinationApplication, Recorded, project_case
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.application.pipeline import Write
from coordination.domain.bases import reader_bases
from coordination.domain.case import Case, CaseErased, CaseEvent, Event
from coordination.domain.case.merging import CaseMerged
from coordination.domain.case_view import view_case
from coordination.domain.catalogue import CATALOGUE, event_data, event_type
from coordination.domain.errors import (
    ConsentOwnAccess,
    ConsentRecorderRefused,
    ConsentRequired,
)
from coordination.domain.grounds import NO_STATUTE, Grounds
from coordination.domain.identity import Caller, Role
from coordination.domain.policy import DEFAULT_POLICY, Policy
from coordination.domain.rules import Survivor
from coordination.domain.trail import consent_trail
from coordination.domain.visibility import Sight, View, view_event
from coordination.services.controllers import Processing, processing
from coordination.services.duplicates import DuplicateCheck
from coordination.services.grounds import GroundsLookup
from coordination.services.oversight.scope import consents_of, events_of


@dataclass(frozen=True)
class SeenEvent:
    event: CaseEvent
    view: View


@dataclass(frozen=True)
class Opened(Recorded):
    """An opening's answer: the write's, and whether the case may duplicate another."""

    possible_duplicate: bool = False


TIMELINE = 50  # events of a replay's timeline around the chosen version


@dataclass(frozen=True)
class HistoryPage:
    events: list[SeenEvent]
    next_after: int | None  # the version to continue after; None: the history ends here


@dataclass(frozen=True)
class Replayed:
    """A case replayed for an auditor: a stretch of its timeline, its state at `version`,
    and its state's data at the earlier version `against` (None: before its first
    event)."""

    history: list[SeenEvent]  # the stretch of the timeline around `version`
    version: int
    latest: int
    case: Case
    view: View
    against: int
    before: dict[str, Any] | None


class CaseService:
    def __init__(
        self, app: CoordinationApplication, directory: Directory, access_log: AccessLog,
        grounds: GroundsLookup, duplicates: DuplicateCheck, policy: Policy = DEFAULT_POLICY,
    ) -> None:  # fmt: skip
        self.app, self.directory, self.access_log = app, directory, access_log
        self.grounds, self.duplicates, self.policy = grounds, duplicates, policy

    # Writing

    def open_case(
        self, caller: Caller, fields: dict[str, Any], idem: IdempotencyRequest | None
    ) -> "Opened":
        """The case opened, and compared with every case for a possible duplicate
        (ADR 0059); `possible_duplicate` on the answer tells the caller no more."""
        recorded = self.app.open_case(caller.actor, fields, idem)
        person = getattr(recorded.event, "person", None) or {}
        found = self.duplicates.check(caller, recorded.case_id, person)
        return Opened(**vars(recorded), possible_duplicate=found)

    def record_event(
        self, caller: Caller, case_id: UUID, kind: str, fields: dict[str, Any],
        expected_version: int | None, idem: IdempotencyRequest | None,
    ) -> Recorded:  # fmt: skip
        write = self._write(caller, case_id, kind, fields, expected_version, idem)
        try:
            recorded = self.app.record(write)
        except (ConsentRequired, ConsentRecorderRefused, CaseNotFound) as refusal:
            self._log_refusal(caller, case_id, refusal)
            raise
        self._merged(recorded)
        return recorded

    async def record_event_async(
        self, caller: Caller, case_id: UUID, kind: str, fields: dict[str, Any],
        expected_version: int | None, idem: IdempotencyRequest | None,
    ) -> Recorded:  # fmt: skip
        """`record_event` on the event loop (ADR 0028): the same write, its steps awaited
        there; what blocks (a load on SQLite, a replay, a snapshot) goes to a thread."""
        held = self._held_grounds(caller, kind, fields)
        write = self._write(caller, case_id, kind, fields, expected_version, idem, held)
        try:
            if held is not None and self._decidable_on_loop(kind, fields):
                return await self.app.record_on_loop(write)
            recorded = await to_thread.run_sync(self.app.record, write)
        except (ConsentRequired, ConsentRecorderRefused, CaseNotFound) as refusal:
            await to_thread.run_sync(self._log_refusal, caller, case_id, refusal)
            raise
        await to_thread.run_sync(self._merged, recorded)
        return recorded

    def _merged(self, recorded: Recorded) -> None:
        """A merge settles the two cases' possible duplicate (ADR 0061)."""
        if isinstance(recorded.event, CaseMerged):
            self.duplicates.merged(str(recorded.case_id), recorded.event.into_case_id)

    def _write(
        self, caller: Caller, case_id: UUID, kind: str, fields: dict[str, Any],
        expected_version: int | None, idem: IdempotencyRequest | None,
        held: Grounds | None = None,
    ) -> Write:  # fmt: skip
        event_type, exists, policy = CATALOGUE[kind], self.directory.exists, self.policy

        def grounds() -> Grounds:
            return held if held is not None else self.grounds.now()

        def decide(case: Case, at: datetime) -> object:
            return event_type.decide(
                case, caller.actor, at, fields,
                is_known_agency=exists, policy=policy, grounds=grounds(),
                survivor=partial(self._survivor, caller),
            )  # fmt: skip

        return Write(case_id, caller.actor, decide, expected_version, idem)

    def _survivor(self, caller: Caller, case_id: str) -> Survivor:
        """The case a merge would go into, as the caller may see it (ADR 0061)."""
        try:
            case = self.app.get_case(UUID(case_id))
            sight, _ = self._sight(caller, case)
        except (CaseNotFound, ValueError):
            return Survivor(case_id, readable=False)
        view = view_case(case, sight)
        readable = not case.erased and "identity" not in view.withheld
        return Survivor(case_id, readable, merged=case.merged_into is not None)

    def _held_grounds(self, caller: Caller, kind: str, fields: dict[str, Any]) -> Grounds | None:
        """For a command that discloses data: the grounds held in memory, if fresh and if
        they know every agency involved; else None (asking the store: a thread's work)."""
        event_type = CATALOGUE[kind]
        event = event_type.event
        if "grounds" not in event_type.supplied or not issubclass(event, Event):
            return NO_STATUTE
        flows = event.flows(caller.agency_id, fields)
        return self.grounds.held([caller.agency_id, *(f.recipient for f in flows)])

    def _decidable_on_loop(self, kind: str, fields: dict[str, Any]) -> bool:
        # A command that looks agencies up (a consent's recipients) reads the store for
        # one this process has not found before: a thread's work.
        supplied = CATALOGUE[kind].supplied
        if "survivor" in supplied:  # a merge reads the case it merges into
            return False
        if "is_known_agency" not in supplied:
            return True
        named = [*fields.get("recipients", ()), *(fields.get("disclosers") or ())]
        if fields.get("obtained_by"):
            named.append(fields["obtained_by"])
        return all(self.directory.known(agency) for agency in named)

    def _log_refusal(self, caller: Caller, case_id: UUID, refusal: Exception) -> None:
        if isinstance(refusal, ConsentRequired):
            self._log(caller, case_id, "refused", refusal.categories, reason=_why(refusal))
        elif isinstance(refusal, ConsentOwnAccess):
            self._log(caller, case_id, "refused", [], reason="consent-own-access")
        elif isinstance(refusal, ConsentRecorderRefused):
            self._log(caller, case_id, "refused", [], reason="consent-not-obtained")
        else:
            self._log(caller, case_id, "refused", [], reason="no-relation")

    # Reading

    def read_case(
        self, caller: Caller, case_id: UUID, version: int | None = None,
        as_of: datetime | None = None, purpose: Purpose | None = None,
    ) -> tuple[Case, View]:  # fmt: skip
        self._check_time_travel(caller, case_id, version, as_of)
        if as_of is not None:
            version = self._version_at(case_id, as_of)
        case = self._load(caller, case_id, version)
        if version is not None and case.version != version:
            raise CaseNotFound  # the case has not reached that version
        sight, part = self._sight(caller, case, purpose)
        view = view_case(case, sight)
        if part is not None and view.data is not None:
            history = self.app.history(case_id)[: case.version]
            trail = consent_trail(history)
            view.data["consents"] = consents_of(view.data["consents"], trail, part)
        self._log_read(caller, case_id, view, sight)
        return case, view

    def read_history(
        self, caller: Caller, case_id: UUID, as_of: datetime | None = None,
        purpose: Purpose | None = None, after: int = 0, upto: int | None = None,
    ) -> list[SeenEvent]:  # fmt: skip
        """The events after version `after` up to `upto` (by default all), each as the
        caller may see it now."""
        return self._history(caller, case_id, as_of, purpose, after, upto)[0]

    def read_history_page(
        self, caller: Caller, case_id: UUID, after: int, limit: int,
        as_of: datetime | None = None, purpose: Purpose | None = None,
    ) -> HistoryPage:  # fmt: skip
        """The events of versions after `after`, `limit` versions at most."""
        seen, last = self._history(caller, case_id, as_of, purpose, after, after + limit)
        return HistoryPage(seen, after + limit if after + limit < last else None)

    def _history(
        self, caller: Caller, case_id: UUID, as_of: datetime | None, purpose: Purpose | None,
        after: int, upto: int | None,
    ) -> tuple[list[SeenEvent], int]:  # fmt: skip
        """The events seen, and the last version the history reaches (at `as_of`)."""
        self._check_time_travel(caller, case_id, None, as_of)
        case = self._load(caller, case_id)
        sight, part = self._sight(caller, case, purpose)
        last = case.version
        if part is None and as_of is None:
            events = self.app.history(case_id, after, upto)
        else:  # a part is cut out of the whole history, whose consents decide it
            events = [e for e in self.app.history(case_id) if as_of is None or e.timestamp <= as_of]
            last = events[-1].originator_version if events else 0
            if part is not None:
                events = events_of(events, consent_trail(events), part)
            events = [e for e in events if after < e.originator_version <= (upto or last)]
        seen = [SeenEvent(e, self._view(e, case, sight)) for e in events]
        total = View(None)
        for s in seen:
            total.merge(s.view)
        self._log_read(caller, case_id, total, sight)
        return seen, last

    def replay(
        self, caller: Caller, case_id: UUID, version: int | None = None,
        as_of: datetime | None = None, against: int | None = None,
    ) -> Replayed:  # fmt: skip
        """Two states of the case and the stretch of its timeline around the chosen
        version (`TIMELINE` events): the state at `against` (by default the version
        before) from its nearest snapshot, and the state at `version` (or at `as_of`;
        by default the latest) folded on it. A long case is never read whole, except to
        find the version of a day."""
        self._check_time_travel(caller, case_id, version or 0, as_of)
        latest = self._load(caller, case_id)
        sight, _ = self._sight(caller, latest)  # auditors only: no part to cut out
        if as_of is not None:
            version = self._version_at(case_id, as_of)
        version = version or latest.version
        if version > latest.version:
            raise CaseNotFound  # the case has not reached that version
        if against is None or not 0 < against < version:
            against = version - 1
        earlier = self.app.get_case(case_id, against) if against else None
        before = deepcopy(view_case(earlier, sight).data) if earlier else None
        case = project_case(earlier, self.app.history(case_id, against, version))
        assert case is not None
        view = view_case(case, sight)
        first = max(1, min(version - TIMELINE // 2, latest.version - TIMELINE + 1))
        shown = self.app.history(case_id, first - 1, first + TIMELINE - 1)
        history = [SeenEvent(e, self._view(e, latest, sight)) for e in shown]
        total = View(None)
        for seen in [*(seen.view for seen in history), view]:
            total.merge(seen)
        self._log_read(caller, case_id, total, sight)
        return Replayed(history, version, latest.version, case, view, against, before)

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

    def _sight(
        self, caller: Caller, case: Case, purpose: Purpose | None = None
    ) -> tuple[Sight, Processing | None]:
        """What the caller may see of the case, and a data-protection officer's part."""
        role, agency = caller.principal.role, caller.principal.agency
        at = self.app.clock()
        if role in (Role.AUDITOR, Role.DPO):
            sight = Sight(
                agency.agency_id, at, everything=role == Role.AUDITOR,
                metadata_only=role == Role.DPO,
            )  # fmt: skip
            return sight, self._check_overseen(caller, case)
        if agency.agency_id not in case.involved:
            self._log(caller, case.id, "refused", [], reason="no-relation")
            raise CaseNotFound
        if agency.controller in case.erased_parts and not case.erased:
            # Its controller erased its part: the agency's processing of the case ended.
            self._log(caller, case.id, "refused", [], reason="part-erased")
            raise CaseNotFound
        bases = reader_bases(
            case, agency.agency_id, agency.kind.value, self.grounds.now(), at, purpose
        )
        return Sight(agency.agency_id, at, bases, purpose=purpose), None

    def _check_overseen(self, caller: Caller, case: Case) -> Processing | None:
        """An auditor reads the cases of its municipality; a data-protection officer those
        in which its controller has a part (ADR 0042), and of them only that part, which
        is returned."""
        agency = caller.principal.agency
        if caller.principal.role == Role.DPO:
            part = processing(case, agency.controller, self.directory.controller_of)
            if not part.any:
                self._log(caller, case.id, "refused", [], reason="other-controller")
                raise CaseNotFound
            return part
        if agency.municipality != case.municipality:
            self._log(caller, case.id, "refused", [], reason="other-municipality")
            raise CaseNotFound
        return None

    def _version_at(self, case_id: UUID, as_of: datetime) -> int:
        versions = [e.originator_version for e in self.app.history(case_id)
                    if e.timestamp <= as_of]  # fmt: skip
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
            categories = list(view.read)
            entries.append(self._entry(caller, case_id, "read", categories, basis, sight.purpose))
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
        basis: dict[str, Any] | None = None, purpose: Purpose | None = None,
        reason: str | None = None,
    ) -> AccessEntry:  # fmt: skip
        return AccessEntry.of(
            caller, self.app.clock(), case_id, action, categories=[str(c) for c in categories],
            basis=basis or {}, reason=reason, purpose=purpose,
        )  # fmt: skip


def _why(refusal: ConsentRequired) -> str:
    return f"consent-required: {refusal.recipient} for {refusal.purpose}"
