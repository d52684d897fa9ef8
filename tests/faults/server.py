"""Real `coordination` processes for fault tests: started, killed, restarted."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

COMMAND = str(Path(sys.executable).parent / "coordination")
APP_NAME = "coordination-fault-test"  # libpq's application_name: lets a test find our sessions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Process:
    """One `coordination ...` child process with the test's database and keys."""

    def __init__(self, args: list[str], database_url: str, workdir: Path, **env: str) -> None:
        self.args, self.workdir = args, workdir
        self.env = {**os.environ, "COORDINATION_DATABASE_URL": database_url,
                    "COORDINATION_LOG_LEVEL": "WARNING", "PGAPPNAME": APP_NAME, **env}  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        self.proc = subprocess.Popen(
            [COMMAND, *self.args], env=self.env, cwd=self.workdir,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush; what was committed is all there is."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class Server(Process):
    def __init__(self, database_url: str, workdir: Path, *extra: str, **env: str) -> None:
        self.port = free_port()
        args = ["serve", "--port", str(self.port), "--no-projections", *extra]
        super().__init__(args, database_url, workdir, **env)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        super().start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        msg = "the server did not come up"
        raise RuntimeError(msg)


def post_keyed(client: httpx.Client, token: str, case_id: str, key: str) -> int:
    """Post one event under its own idempotency key: its status, or 0 if the server is gone."""
    try:
        response = client.post(
            f"/v1/cases/{case_id}/events",
            json={"type": "QualificationRecorded", "title": "x", "country": "SY",
                  "qualification_id": key},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        )  # fmt: skip
    except httpx.TransportError:
        return 0
    return response.status_code
