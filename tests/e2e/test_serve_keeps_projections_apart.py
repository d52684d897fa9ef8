"""`coordination serve` as a user starts it: it migrates the store, serves the API, and
keeps the read models in a process of its own, started again when it dies and stopped
with the server; `/readyz` tells whether they are kept."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from coordination.bootstrap import bootstrap
from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.faults.server import free_port
from tests.support import add_agency, postgres_schema

COMMAND = str(Path(sys.executable).parent / "coordination")
CASE = {"person": {"given_name": "A", "family_name": "B"}, "municipality": "leipzig"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store nobody migrated: `serve` makes its schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coordination.db'}"
        return
    with postgres_schema() as url:
        yield url


def eventually(check: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def projection_processes(server: subprocess.Popen[bytes]) -> list[int]:
    """The `projections run` processes the server started."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
            command = (status.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(fields["PPid"]) == server.pid and b"projections" in command:
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


class Served:
    def __init__(self, url: str, tmp_path: Path) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        # A read waits for a restarted projection process, which takes a few seconds.
        env = {**os.environ, "COORDINATION_DATABASE_URL": url, "COORDINATION_LOG_LEVEL": "WARNING",
               "COORDINATION_READ_YOUR_WRITES_SECONDS": "20"}  # fmt: skip
        self.proc = subprocess.Popen(
            [COMMAND, "serve", "--port", str(port)], env=env, cwd=tmp_path,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def ready(self) -> int:
        try:
            return httpx.get(f"{self.base}/readyz", timeout=2).status_code
        except httpx.TransportError:
            return 0


@pytest.fixture
def served(fresh_store: str, tmp_path: Path) -> Iterator[Served]:
    server = Served(fresh_store, tmp_path)
    yield server
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait()
    for pid in projection_processes(server.proc):
        os.kill(pid, signal.SIGKILL)


def test_serve_keeps_the_views_in_a_process_it_restarts_and_stops(
    served: Served, fresh_store: str
) -> None:
    # 1. Started on a store nobody migrated: ready once its projections beat.
    assert eventually(lambda: served.ready() == 200), "never ready"
    (first,) = projection_processes(served.proc)
    svc = bootstrap(Settings(database_url=fresh_store))
    try:
        token = add_agency(svc, "abh-leipzig", role=Role.CASEWORKER)
    finally:
        svc.close()
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=served.base, headers=auth, timeout=30) as api:
        # 2. A case written through the API is in the caseload the other process keeps.
        def in_caseload(response: httpx.Response) -> bool:
            caseload = api.get("/v1/caseload", params={
                "min_position": response.headers["X-Event-Position"]})  # fmt: skip
            return caseload.status_code == 200 and response.json()["case_id"] in [
                item["case_id"] for item in caseload.json()["items"]
            ]

        assert in_caseload(api.post("/v1/cases", json=CASE))
        # 3. The projection process dies: the server starts another, which goes on.
        os.kill(first, signal.SIGKILL)
        assert eventually(lambda: projection_processes(served.proc) not in ([], [first]))
        assert in_caseload(api.post("/v1/cases", json=CASE))
        assert eventually(lambda: served.ready() == 200)
        lag = api.get("/readyz").json()["projections"]["caseload"]
        assert (lag["in_process"], lag["running"]) == (False, True)
    # 4. Stopped, the server stops its projection process too.
    (second,) = projection_processes(served.proc)
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=20) == 0
    assert eventually(lambda: not alive(second), seconds=10)


def test_a_projection_process_whose_server_died_stops_by_itself(served: Served) -> None:
    assert eventually(lambda: served.ready() == 200), "never ready"
    (projections,) = projection_processes(served.proc)
    served.proc.send_signal(signal.SIGKILL)  # no chance to stop its child
    served.proc.wait()
    assert eventually(lambda: not alive(projections), seconds=10)
