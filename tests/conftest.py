"""Fixtures: every integration and end-to-end test runs on SQLite and PostgreSQL."""

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from coordination.bootstrap import Services, bootstrap, migrate
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.support import FakeClock, ServedApp, postgres_schema
from tests.webhook_receiver import Receiver, receiver


@pytest.fixture(autouse=True)
def master_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test's service wraps case keys with this key, never a file in the tree."""
    key = base64.urlsafe_b64encode(bytes(range(32))).decode()
    monkeypatch.setenv("COORDINATION_MASTER_KEY", key)
    return key


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Checkpoints and bundles are signed with this key, never a file in the tree."""
    key = base64.b64encode(bytes(range(32, 64))).decode()
    monkeypatch.setenv("COORDINATION_SIGNING_KEY", key)
    return key


@pytest.fixture(autouse=True)
def generous_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limiter runs in every test but throttles none; tests/limits sets a tiny one."""
    monkeypatch.setenv("COORDINATION_RATE_LIMIT_PER_MINUTE", "1000000")
    monkeypatch.setenv("COORDINATION_RATE_LIMIT_BURST", "100000")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store, made as `coordination migrate` makes it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'coordination.db'}"
        migrate(Settings(database_url=url))
        yield url
        return
    with postgres_schema() as url:
        migrate(Settings(database_url=url))
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, log_level="WARNING")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """The service wired to the test's store, for setting up agencies and tokens."""
    svc = bootstrap(settings, clock)
    yield svc
    svc.close()


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> FastAPI:
    return create_app(settings, clock)


@pytest.fixture
def served(app: FastAPI, services: Services) -> Iterator[httpx.Client]:
    """An HTTP client against the app served by uvicorn on a loopback port."""
    with ServedApp(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture
def hook_receiver() -> Iterator[Receiver]:
    """An agency's webhook receiver on a loopback port (tests/webhook_receiver.py)."""
    with receiver() as r:
        yield r
