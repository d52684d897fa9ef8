"""A small psycopg async pool for the reads a request makes on the event loop.

Token look-ups (ADR 0028) and the load of a case a write finds not held (ADR 0030) run
on the loop over this pool, with the event store's own connection settings in
autocommit mode, so they cross to no thread. SQLite has no async driver: there the
pool is absent and those reads go to a thread. psycopg's errors come out as
eventsourcing's, which the API answers with 503.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresDatastore
from psycopg_pool import AsyncConnectionPool


class LoopPool:
    """Made with the event store's datastore; a pool is opened on the serving event loop
    by the composition root, and closed with it. Until then, and on SQLite, reads go to
    a thread."""

    def __init__(self, datastore: object) -> None:
        self._settings: dict[str, Any] | None = None
        self._pool: AsyncConnectionPool[Any] | None = None
        if isinstance(datastore, PostgresDatastore):
            settings = datastore.pool.kwargs
            assert isinstance(settings, dict)  # eventsourcing passes a dict, not a callable
            self._settings = {**settings, "autocommit": True}
            self._timeout = datastore.pool.timeout

    @property
    def postgres(self) -> bool:
        return self._settings is not None

    @property
    def open(self) -> bool:
        return self._pool is not None

    async def start(self) -> None:
        """A pool for the running loop (a pool belongs to the loop it was opened on)."""
        if self._settings is not None and self._pool is None:
            self._pool = AsyncConnectionPool(
                kwargs=self._settings, min_size=1, max_size=4, open=False,
                timeout=self._timeout, name="loop-reads",
            )  # fmt: skip
            await self._pool.open(wait=False)

    async def stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        assert self._pool is not None, "no pool open: read in a thread instead"
        try:
            async with self._pool.connection() as conn:
                yield conn
        except psycopg.InterfaceError as error:
            raise InterfaceError(str(error)) from error
        except psycopg.OperationalError as error:  # the pool's timeout among them: 503
            raise OperationalError(str(error)) from error
