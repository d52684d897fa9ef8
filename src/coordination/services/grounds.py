"""The grounds a case's commands and its consent trail judge by, beyond the case: the
statutory rule book as stored now, and the kind of each registered agency."""

import time
from collections.abc import Iterable

from coordination.adapters.store.directory import Directory
from coordination.domain.grounds import Grounds
from coordination.services.statutory import StatutoryRules

# How long a write on the event loop may rely on the rule book as last read (ADR 0038):
# a change made through another process is seen by every write after this at the latest.
FRESH_SECONDS = 1.0


class GroundsLookup:
    def __init__(
        self, directory: Directory, statutory: StatutoryRules, fresh: float = FRESH_SECONDS
    ) -> None:
        self.directory, self.statutory, self.fresh = directory, statutory, fresh
        self._read_at: float | None = None

    def now(self) -> Grounds:
        """Costs one indexed query (is the rule book as held?) and, for an agency not
        seen before, one look-up: run it off the event loop."""
        statute = self.statutory.statute()
        self._read_at = time.monotonic()
        return Grounds(statute, self.kind_of)

    def held(self, agencies: Iterable[str]) -> Grounds | None:
        """Grounds without a query, for a write on the event loop: the rule book as this
        process holds it (its own changes at once), if it read the store's less than
        `fresh` seconds ago, and agencies it has looked up before. None: a thread's work."""
        read_at = self._read_at
        if read_at is None or time.monotonic() - read_at >= self.fresh:
            return None
        if not all(self.directory.known(a) for a in agencies):
            return None
        return Grounds(self.statutory.held(), self.kind_of)

    def kind_of(self, agency_id: str) -> str:
        agency = self.directory.get_agency(agency_id)
        return agency.kind.value if agency is not None else ""
