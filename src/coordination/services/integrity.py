"""Verification, checkpoints and audit bundles on the service's own store.

Used by the `coordination` commands (the operator's: `verify`, `checkpoint`, `export`)
and by the auditor's use cases (`verify_for`, `checkpoint_for`, `bundle_for`), which the
HTTP API calls and which check the role and the case's municipality and write the
access log (ADR 0049). The hashing and the checks themselves are pure (chain, verify,
bundle); this module reads the store, loads the signing key and decodes events
through the application's mapper.
"""

import json
from datetime import date, datetime
from enum import Enum
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from coordination.adapters.hashing.bundle import Readable, build_bundle, verify_bundle
from coordination.adapters.hashing.chain import ZERO
from coordination.adapters.hashing.checkpoint import Checkpoint, checkpoint_signed, make_checkpoint
from coordination.adapters.hashing.signing import SigningKeys
from coordination.adapters.hashing.verify import (
    CaseRow,
    Failure,
    Report,
    check_head,
    merge_by_position,
    verify_case,
    verify_links,
    verify_store,
)
from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.hash_ledger import HashLedger, Head
from coordination.adapters.store.recorders import HASHES_TABLE
from coordination.application.app import CoordinationApplication
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.domain.case import CaseEvent
from coordination.domain.catalogue import event_data
from coordination.domain.identity import Caller, Role

UNTRUSTED = "checkpoint signature invalid or key not trusted"


class NotIntact(Exception):
    """The store fails verification, so it gets no checkpoint or bundle."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.describe())
        self.failure = failure


class CheckpointTooOld(Exception):
    """A case has events after the checkpoint a bundle was asked to prove against."""


class CheckpointNotTrusted(Exception):
    """A checkpoint handed in was edited, or signed by a key this service does not trust."""

    def __init__(self) -> None:
        super().__init__(UNTRUSTED)


def checkpoint_file(cp: Checkpoint) -> bytes:
    """A checkpoint as `coordination checkpoint --out` writes it: JSON indented by two
    spaces, members in their order, one final newline."""
    return (json.dumps(cp.to_json(), indent=2) + "\n").encode()


class IntegrityService:
    def __init__(
        self, app: CoordinationApplication, keys: SigningKeys, access_log: AccessLog | None = None
    ) -> None:
        self.app, self.keys = app, keys
        self.access_log = access_log or AccessLog(app.db)
        self.ledger = HashLedger(app.db, app.recorder.events_table_name, HASHES_TABLE)  # type: ignore[attr-defined]

    # An auditor's use cases: the role, the case's municipality, an access-log entry each

    def verify_for(self, caller: Caller, case_id: UUID | None = None) -> Report:
        """`verify` for an auditor. Not limited to its municipality: it reads no personal
        data and never loads a case, which a damaged history may not allow."""
        self._require_auditor(caller, case_id)
        report = self.verify(case_id)
        self._log(caller, case_id, "read", "verify")
        return report

    def checkpoint_for(self, caller: Caller) -> Checkpoint:
        """A fresh checkpoint for an auditor to keep; NotIntact when the store fails."""
        self._require_auditor(caller, None)
        cp = self.checkpoint()
        self._log(caller, None, "read", "checkpoint")
        return cp

    def bundle_for(
        self, caller: Caller, case_id: UUID, against: Checkpoint | None = None,
        *, with_data: bool = False,
    ) -> bytes:  # fmt: skip
        """A bundle of a case of the auditor's municipality, proven against `against` or
        a fresh checkpoint. Without `with_data` every event's `data` is null: the proof
        needs only the stored bytes, whose personal fields are sealed (ADR 0049)."""
        self._require_auditor(caller, case_id)
        self._check_overseen(caller, case_id)
        if against is not None and not checkpoint_signed(against, self.keys.trusted()):
            raise CheckpointNotTrusted
        raw = self.export(case_id, against, with_data=with_data)
        self._log(
            caller, case_id, "read", "audit-bundle-with-data" if with_data else "audit-bundle"
        )
        return raw

    def _require_auditor(self, caller: Caller, case_id: UUID | None) -> None:
        if caller.principal.role != Role.AUDITOR:
            if case_id is not None:
                self._log(caller, case_id, "refused", "forbidden-role")
            raise Forbidden("this needs the role auditor")

    def _check_overseen(self, caller: Caller, case_id: UUID) -> None:
        """A case of the auditor's municipality, like every auditor read of a case (404
        otherwise, logged). Its own chain is checked first, so a damaged history is
        refused as not intact (as `verify_for` would tell) and never loaded."""
        try:
            report = self.verify(case_id)
            if report.first_failure is not None:
                raise NotIntact(report.first_failure)
            case = self.app.get_case(case_id)  # not a case: the rule book's stream
        except CaseNotFound:
            self._log(caller, case_id, "refused", "no-such-case")
            raise
        if caller.principal.agency.municipality != case.municipality:
            self._log(caller, case_id, "refused", "other-municipality")
            raise CaseNotFound

    def _log(self, caller: Caller, case_id: UUID | None, action: str, reason: str) -> None:
        basis = {"role": caller.principal.role.value} if action == "read" else {}
        self.access_log.write(
            AccessEntry.of(caller, self.app.clock(), case_id, action, basis=basis, reason=reason)
        )

    # Verifying

    def verify(self, case_id: UUID | None = None, against: Checkpoint | None = None) -> Report:
        """The whole store, or one case; and, given a checkpoint, that the store
        still holds its head (for a case: that the case's chain reaches it)."""
        if against is not None and not checkpoint_signed(against, self.keys.trusted()):
            return Report(0, Failure(None, None, UNTRUSTED, against.position))
        head = self.ledger.head()
        if case_id is None:
            report = self._walk(head)
            failure = None
            if report.ok and against is not None:
                stored = self.ledger.hash_at(against.position)
                failure = check_head(against.position, against.chain_hash, stored, head.last)
            return Report(report.events_checked, failure) if failure else report
        rows = self.ledger.case_rows(case_id, head.last)
        if not rows:
            raise CaseNotFound
        report = verify_case(rows)
        if report.ok and against is not None:
            failure = self._reaches(rows, against, head.last)
            return Report(report.events_checked, failure) if failure else report
        return report

    def _walk(self, head: Head) -> Report:
        """The whole store up to `head`, both tables merged by position."""
        events, hashes = self.ledger.events_up_to(head.last), self.ledger.hashes_up_to(head.last)
        return verify_store(merge_by_position(events, hashes))

    def _reaches(self, rows: list[CaseRow], cp: Checkpoint, store_last: int) -> Failure | None:
        """The store chain from the case's first event up to the checkpoint's head."""
        first = rows[0].hashes.position if rows[0].hashes else 0
        if first > cp.position:
            return check_head(cp.position, cp.chain_hash, self.ledger.hash_at(cp.position),
                              store_last)  # fmt: skip
        links = self.ledger.hashes_up_to(cp.position, after=first - 1)
        return verify_links(
            self.ledger.chain_before(first), links, cp.position, cp.chain_hash, store_last
        )

    # Checkpoints and bundles

    def checkpoint(self) -> Checkpoint:
        """A signed head of the store chain; only of a store that verifies."""
        head = self.ledger.head()
        report = self._walk(head)
        if report.first_failure is not None:
            raise NotIntact(report.first_failure)
        top = self.ledger.hash_at(head.hashes) if head.hashes else None
        position, chain = (top.position, top.chain_hash) if top else (0, ZERO.hex())
        return make_checkpoint(
            self.keys.signing_key(), position, chain, report.events_checked, self.app.clock()
        )

    def export(
        self, case_id: UUID, against: Checkpoint | None = None, *, with_data: bool = True
    ) -> bytes:
        """A bundle of the case's events, proven against `against` or a fresh checkpoint;
        `with_data`: with each event's data decrypted, else `data` is null throughout."""
        cp = against or self.checkpoint()
        report = self.verify(case_id, cp)
        if report.first_failure is not None:
            raise NotIntact(report.first_failure)
        rows = self.ledger.case_rows(case_id, self.ledger.head().last)
        covered = [r for r in rows if r.hashes and r.hashes.position <= cp.position]
        if against is not None and len(covered) < len(rows):
            msg = f"version {len(covered) + 1} of the case is newer than the checkpoint"
            raise CheckpointTooOld(msg)
        if not covered:
            raise CaseNotFound  # only a fresh checkpoint racing the case's first event
        first = covered[0].hashes.position if covered[0].hashes else 0
        raw = build_bundle(
            case_id, covered, [self._readable(case_id, r, with_data) for r in covered],
            self.ledger.chain_before(first), list(self.ledger.links(first, cp.position)),
            cp, self.keys.signing_key(), self.app.clock(),
        )  # fmt: skip
        checked = verify_bundle(raw)
        if checked.first_failure is not None:  # the store changed while we read it
            raise NotIntact(checked.first_failure)
        return raw

    def _readable(self, case_id: UUID, row: CaseRow, with_data: bool = True) -> Readable:
        e = row.event
        assert e is not None
        stored = StoredEvent(case_id, e.version, e.topic, e.state)
        event = cast(CaseEvent, self.app.mapper.to_domain_event(stored))
        if vars(event).get("_erased"):
            return Readable(erased=True, data=None)
        return Readable(erased=False, data=plain(event_data(event)) if with_data else None)


def plain(value: Any) -> Any:
    """Event data as JSON values: dates as ISO text, ids as text, enums by value."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value
