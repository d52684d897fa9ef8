"""Fault tests run against real processes on PostgreSQL (SQLite has no second writer
process to speak of and no server to lose). FAULTS_SCALE makes them longer."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from coordination.bootstrap import Services, bootstrap
from coordination.domain.identity import AgencyKind, Role
from coordination.settings import Settings
from tests.support import add_agency, migrated, postgres_schema

SCALE = int(os.environ.get("FAULTS_SCALE", "1"))


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield migrated(url)


@pytest.fixture
def pg_services(pg_url: str) -> Iterator[Services]:
    svc = bootstrap(Settings(database_url=pg_url, run_projections=False))
    yield svc
    svc.close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """What every child process needs besides the database: short in-flight claims."""
    return {"COORDINATION_IDEMPOTENCY_IN_FLIGHT_SECONDS": "2",
            "COORDINATION_MASTER_KEY": os.environ["COORDINATION_MASTER_KEY"]}  # fmt: skip


def caseworker(svc: Services, agency_id: str = "abh-leipzig") -> str:
    return add_agency(svc, agency_id, AgencyKind.AUSLAENDERBEHOERDE, "leipzig", Role.CASEWORKER)
