"""Token look-ups on the event loop (ADR 0028).

Every request reads its token from the store, so that a revocation made anywhere holds
at the next request. On PostgreSQL the look-up runs on the event loop over the loop
pool. In a worker thread it had cost about 1.3 ms of CPU per request at 32 clients,
mostly threads waking and taking turns for the interpreter; here it costs a third of
that. SQLite has no async driver: there the look-up goes to a thread.
"""

from anyio import to_thread

from coordination.adapters.store.directory import TOKEN_QUERY, Directory, parse_token, principal
from coordination.adapters.store.loop_pool import LoopPool
from coordination.domain.identity import Principal


class TokenLookup:
    def __init__(self, directory: Directory, pool: LoopPool) -> None:
        self.directory, self.pool = directory, pool
        self._query = directory.db.sql(TOKEN_QUERY)

    async def authenticate(self, token: str) -> Principal | None:
        if not self.pool.open:
            return await to_thread.run_sync(self.directory.authenticate, token)
        if (offered := parse_token(token)) is None:
            return None
        async with self.pool.connection() as conn:
            row = await (await conn.execute(self._query, (offered[0],))).fetchone()
        return principal(row, *offered)
