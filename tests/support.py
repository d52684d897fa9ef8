"""Test helpers shared by integration and end-to-end tests."""

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
import uvicorn
from psycopg import sql

from coordination.bootstrap import Services, migrate
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role
from coordination.domain.statutory import STARTER_SET
from coordination.settings import Settings

PG_DSN = os.environ.get("COORDINATION_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# `migrate` records the statutory rule book's starter set (ADR 0038): a fresh store holds
# these events, of no case, before a test writes its first.
STARTER_EVENTS = 1 + len(STARTER_SET)
# What `coordination demo` records: three events in Mayen-Koblenz, five in Leipzig.
DEMO_EVENTS = 8


class FakeClock:
    """A clock the test moves by hand; starts at a fixed instant."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_DSN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def require_postgres() -> None:
    """Fail (in CI) or skip (elsewhere) when PostgreSQL is not there."""
    if postgres_reachable():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI and cannot be reached at {PG_DSN}")
    pytest.skip("PostgreSQL is not reachable")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards; yields the database URL."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{PG_DSN}?schema={schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def migrated(url: str) -> str:
    """The store at `url`, made as `coordination migrate` makes it."""
    migrate(Settings(database_url=url))
    return url


def add_agency(
    svc: Services, agency_id: str, kind: AgencyKind = AgencyKind.OTHER,
    municipality: str = "leipzig", role: Role = Role.CASEWORKER, controller: str = "",
) -> str:  # fmt: skip
    """Register an agency (if new) and return a fresh bearer token for it."""
    if svc.directory.get_agency(agency_id) is None:
        agency = Agency(agency_id, agency_id.title(), kind, municipality, controller)
        svc.directory.add_agency(agency)
    return svc.directory.issue_token(agency_id, role, f"{agency_id}-{role.value}").token


def caseworker(svc: Services, agency_id: str, kind: AgencyKind) -> Caller:
    """A Leipzig agency's system, registered if new, as the caller of a use case."""
    if svc.directory.get_agency(agency_id) is None:
        svc.directory.add_agency(Agency(agency_id, agency_id, kind, "leipzig"))
    agency = svc.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, Role.CASEWORKER, "t", f"{agency_id}-system"), "test")


class ServedApp:
    """The real ASGI app under uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: object, **options: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,  # type: ignore[arg-type]
                                access_log=False, lifespan="on", **options)  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                msg = "the served app did not start"
                raise RuntimeError(msg)
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
