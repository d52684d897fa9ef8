"""The cases this process wrote last, so the next write on them skips the reload.

A write borrows its case (`take` removes it, so no two threads ever mutate one
object) and returns it after the save committed (`keep`). A cached case can be
stale when another process wrote since, and that is safe: its save then clashes
on the version, and the write decides again on the stored case. Reads never use
this cache; they load the stored case.
"""

import threading
from uuid import UUID

from eventsourcing.application import LRUCache

from coordination.domain.case import Case


class CaseCache:
    def __init__(self, maxsize: int) -> None:
        self._cases: LRUCache[UUID, Case] | None = LRUCache(maxsize) if maxsize > 0 else None
        self._lock = threading.Lock()

    def take(self, case_id: UUID) -> Case | None:
        if self._cases is None:
            return None
        try:
            return self._cases.get(case_id, evict=True)
        except KeyError:
            return None

    def keep(self, case: Case) -> None:
        """Cache a case whose events are all committed; never over a newer copy."""
        if self._cases is None or case.pending_events:
            return
        with self._lock:
            try:
                cached = self._cases.get(case.id)
            except KeyError:
                cached = None
            if cached is None or cached.version < case.version:
                self._cases.put(case.id, case)
