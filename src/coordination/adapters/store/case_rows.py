"""A case's stored events, read on the event loop in one round trip (ADR 0030).

A write that finds its case not held by this process loads it here instead of in a
worker thread. The newest snapshot and the events after it come from one statement,
so they are of one moment: read apart, a snapshot taken in between would leave a gap.
The case key's rows (its first key and its parts') go in the same pipeline, unless the
key is cached already.
"""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Recorder, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Identifier

from coordination.adapters.store.keys import SELECT_CASE, CaseKeys
from coordination.adapters.store.loop_pool import LoopPool
from coordination.adapters.store.sealing import ErasedSnapshot

_ROWS = (
    "WITH s AS (SELECT originator_version, topic, state FROM {snapshots}"
    " WHERE originator_id = %(id)s ORDER BY originator_version DESC LIMIT 1)"
    " SELECT true AS snapshot, originator_version, topic, state FROM s"
    " UNION ALL SELECT false, originator_version, topic, state FROM {events}"
    " WHERE originator_id = %(id)s"
    " AND originator_version > COALESCE((SELECT originator_version FROM s), 0)"
    " ORDER BY 1 DESC, 2"
)


class LoopCaseReads:
    def __init__(
        self, pool: LoopPool, keys: CaseKeys, mapper: Mapper[UUID],
        recorders: Mapping[str, Recorder],
    ) -> None:  # fmt: skip
        self.pool, self.keys, self.mapper = pool, keys, mapper
        names = {purpose: _names(recorder) for purpose, recorder in recorders.items()}
        tables = {purpose: Identifier(*schema_table) for purpose, schema_table in names.items()}
        self._rows = SQL(_ROWS).format(**tables).as_bytes(None)
        self._keys = keys.db.sql(SELECT_CASE)

    async def events(self, case_id: UUID) -> list[Any] | None:
        """The case's newest snapshot and the events after it, decoded; None where the
        thread's load must decide: no key row (no such case) or a destroyed key (an
        erased case loads by full replay, ADR 0020), or a snapshot that no longer opens
        (its key renewed by an erasure of a part: the case replays from its start)."""
        with_key = not self.keys.fresh(case_id)
        stored, key_rows = await self._read(case_id, with_key)
        if with_key:
            first = next((r for r in key_rows if r["part"] is None), None)
            if first is None or first["wrapped"] is None:
                return None
            self.keys.remember_case(case_id, key_rows)
        events = [self.mapper.to_domain_event(s) for s in stored]
        if events and isinstance(events[0], ErasedSnapshot):
            return None
        return events

    async def _read(
        self, case_id: UUID, with_key: bool
    ) -> tuple[list[StoredEvent], list[dict[str, Any]]]:
        async with self.pool.connection() as conn:
            async with conn.pipeline():
                keys = None
                if with_key:
                    keys = await conn.execute(self._keys, (str(case_id), str(case_id)))
                rows = await conn.execute(self._rows, {"id": case_id})
            stored = [_stored(case_id, row) for row in await rows.fetchall()]
            key_rows = list(await keys.fetchall()) if keys is not None else []
        return stored, key_rows


def _names(recorder: Recorder) -> tuple[str, str]:
    assert isinstance(recorder, PostgresAggregateRecorder)
    return recorder.datastore.schema, recorder.events_table_name


def _stored(case_id: UUID, row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(case_id, row["originator_version"], row["topic"], bytes(row["state"]))
