"""Token look-ups on the event loop (ADR 0028).

Every request reads its token from the store, so that a revocation made anywhere holds
at the next request. On PostgreSQL the look-up runs on the event loop over the loop
pool. In a worker thread it had cost about 1.3 ms of CPU per request at 32 clients,
mostly threads waking and taking turns for the interpreter; here it costs a third of
that. SQLite has no async driver: there the look-up goes to a thread.

A token past its end raises TokenExpired. Its use is written down at most once a minute
per token and process (`Directory.last_use`, ADR 0055), on the same connection.
"""

from anyio import to_thread

from coordination.adapters.store.directory import (
    MARK_USED,
    TOKEN_QUERY,
    Directory,
    parse_token,
    principal,
)
from coordination.adapters.store.loop_pool import LoopPool
from coordination.adapters.timestamps import stamp
from coordination.domain.identity import Principal


class TokenLookup:
    def __init__(self, directory: Directory, pool: LoopPool) -> None:
        self.directory, self.pool = directory, pool
        self._query = directory.db.sql(TOKEN_QUERY)
        self._mark = directory.db.sql(MARK_USED)

    async def authenticate(self, token: str) -> Principal | None:
        if not self.pool.open:
            return await to_thread.run_sync(self.directory.authenticate, token)
        if (offered := parse_token(token)) is None:
            return None
        now = self.directory.clock()
        async with self.pool.connection() as conn:
            row = await (await conn.execute(self._query, (offered[0],))).fetchone()
            found = principal(row, *offered, now)
            if found is None or row is None:
                return found
            if self.directory.last_use.due(found.token_id, row["last_used_at"], now):
                await conn.execute(self._mark, (stamp(now), found.token_id))
        return found
