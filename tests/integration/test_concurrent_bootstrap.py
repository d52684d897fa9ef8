"""Processes that start together on one store (API workers, nodes, a projection
process) each create what is missing, at the same moment. PostgreSQL refuses some of
that DDL when two sessions run it at once ("tuple concurrently updated"): a worker of
`serve --workers 2` failed to start so, and its supervisor stopped the server. The
bootstrap takes its turn under an advisory lock (ADR 0026)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from coordination.bootstrap import Services, bootstrap, migrate
from coordination.settings import Settings
from tests.support import postgres_schema

STARTING = 4
ROUNDS = 3


def start(settings: Settings, together: threading.Barrier) -> Services:
    """A process starting as `coordination serve` does: migrate, then build."""
    together.wait()
    migrate(settings)
    return bootstrap(settings)


@pytest.mark.postgres
def test_processes_starting_together_all_start() -> None:
    with postgres_schema() as url:
        settings = Settings(database_url=url, log_level="WARNING")
        migrate(settings)  # 1. a store that exists, as for workers restarting
        bootstrap(settings).close()
        for _ in range(ROUNDS):
            # 2. Several bootstraps at once, each on its own connections.
            together = threading.Barrier(STARTING)
            with ThreadPoolExecutor(STARTING) as pool:
                started = list(pool.map(start, [settings] * STARTING, [together] * STARTING))
            # 3. Every one of them started, on the same store.
            assert len(started) == STARTING
            for svc in started:
                svc.close()
