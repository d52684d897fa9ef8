"""A built case sealed for the spool under a fresh data key of its own (ADR 0022).

The key is made here, in memory, as `CaseKeys` makes one, and wrapped by the master
key; it reaches the database only as its wrapped row, in the transaction of the
case's events. It is never put into the application's key cache: an import refused
or stopped would leave there a key that was never stored, and a later live write of
that case id would be sealed under it.
"""

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from coordination.adapters.store.keys import wrap
from coordination.adapters.store.sealing import SealingMapper
from coordination.application import snapshots
from coordination.application.app import CoordinationApplication
from coordination.domain.case import Case
from coordination.services.importing.spool import Spooled


class CaseSealer:
    def __init__(self, app: CoordinationApplication) -> None:
        mapper = app.mapper
        assert isinstance(mapper, SealingMapper)
        self.mapper, self.master = mapper, app.keys.master
        interval = (app.snapshotting_intervals or {}).get(Case)
        # A case this long gets a snapshot of its whole history, as a save would take.
        self.snapshot_from = interval if interval and app.snapshots is not None else None

    def seal(self, line: int, case: Case) -> Spooled:
        key = AESGCM.generate_key(256)
        wrapped = wrap(self.master, case.id, key)
        events = [self.mapper.seal_with_key(e, key) for e in case.pending_events]
        snapshot = None
        if self.snapshot_from and case.version >= self.snapshot_from:
            snapshot = self.mapper.seal_with_key(snapshots.take(case), key)
        return Spooled(line, case.id, wrapped, events, snapshot)
