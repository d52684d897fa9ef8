"""Token look-ups on the event loop (ADR 0028).

Every request reads its token from the store, so that a revocation made anywhere holds
at the next request. On PostgreSQL the look-up runs on the event loop over a small
psycopg async pool. In a worker thread it had cost about 1.3 ms of CPU per request at
32 clients, mostly threads waking and taking turns for the interpreter; here it costs
a third of that. SQLite has no async driver: there the look-up goes to a thread.
"""

from typing import Any

import psycopg
from anyio import to_thread
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresDatastore
from psycopg_pool import AsyncConnectionPool

from coordination.store.directory import TOKEN_QUERY, Directory, Principal, parse_token, principal


class TokenLookup:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._query = directory.db.sql(TOKEN_QUERY)
        self._pool: AsyncConnectionPool[Any] | None = None
        datastore = directory.db.datastore
        if isinstance(datastore, PostgresDatastore):
            # The event store's own connection settings, in autocommit mode.
            settings = datastore.pool.kwargs
            assert isinstance(settings, dict)  # eventsourcing passes a dict, not a callable
            kwargs = {**settings, "autocommit": True}
            self._pool = AsyncConnectionPool(
                kwargs=kwargs, min_size=1, max_size=4, open=False,
                timeout=datastore.pool.timeout, name="tokens",
            )  # fmt: skip

    async def open(self) -> None:
        if self._pool is not None:
            await self._pool.open(wait=False)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def authenticate(self, token: str) -> Principal | None:
        if self._pool is None:
            return await to_thread.run_sync(self.directory.authenticate, token)
        if (offered := parse_token(token)) is None:
            return None
        try:
            async with self._pool.connection() as conn:
                row = await (await conn.execute(self._query, (offered[0],))).fetchone()
        except psycopg.InterfaceError as error:
            raise InterfaceError(str(error)) from error
        except psycopg.OperationalError as error:  # the pool's timeout among them: 503
            raise OperationalError(str(error)) from error
        return principal(row, *offered)
