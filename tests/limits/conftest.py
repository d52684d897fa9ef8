"""Servers for the limit tests: the app under uvicorn as `coordination serve` runs it."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from coordination.bootstrap import Services, bootstrap, migrate
from coordination.entrypoints.api.app import create_app
from coordination.entrypoints.server.serving import uvicorn_limits
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.support import FakeClock, ServedApp

REQUEST_SECONDS = 1.0  # the serve default is 10 s; short here so the tests stay quick


@pytest.fixture
def api(served: httpx.Client, services: Services) -> Api:
    return Api(served, services)


@dataclass(frozen=True)
class Limited:
    base_url: str
    services: Services  # on the served app's database, to set up agencies and cases


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Limited]:
    """The app on SQLite, served with `coordination serve`'s uvicorn limits."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'limits.db'}", log_level="WARNING")
    clock = FakeClock()
    migrate(settings)
    services = bootstrap(settings, clock)
    app = create_app(settings, clock)
    try:
        with ServedApp(app, **uvicorn_limits(request_seconds=REQUEST_SECONDS)) as base_url:
            yield Limited(base_url, services)
    finally:
        services.close()


def connect(base_url: str) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def read_until(sock: socket.socket, marker: bytes, within: float = 2.0) -> bytes:
    """What the server sends until `marker` shows (or it closes, or time runs out)."""
    sock.settimeout(within)
    received = b""
    try:
        while marker not in received and (chunk := sock.recv(65536)):
            received += chunk
    except TimeoutError:
        pass
    return received


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server closes the connection (recv gives b"") within `within` s."""
    sock.settimeout(within)
    try:
        while chunk := sock.recv(65536):
            if not chunk:
                break
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
