"""Each measurement: a timed loop that returns plain figures."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from fastapi.encoders import jsonable_encoder

from bench import load
from bench.data import Workload, all_agencies
from coordination.application.app import project_case
from coordination.bootstrap import Services
from coordination.domain.case import Case
from coordination.domain.identity import Caller, Principal, Role
from projections.caseload.query import CaseloadQuery, read_page
from projections.runner import Follower

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_figures(seconds: float, latencies: list[float]) -> dict[str, float]:
    return {"events_per_s": len(latencies) / seconds,
            "p50_ms": percentile(latencies, 0.5) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000}  # fmt: skip


class Served:
    """A server in its own process (a real `coordination serve`, or the naive uvicorn)."""

    def __init__(self, command: list[str], env: dict[str, str], ready: str = "/healthz") -> None:
        self.port, self.ready = _free_port(), ready
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [*command, "--port", str(self.port)], env={**os.environ, **env}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}{self.ready}", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.proc.args!r} did not come up")

    def peak_rss_mb(self) -> float:
        """VmHWM: the most resident memory the process ever had (Linux)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc/<pid>/status")

    def cpu_seconds(self) -> float:
        """User and system CPU of the server and its worker processes so far (Linux)."""
        return sum(_cpu_seconds(pid) for pid in _family(self.proc.pid))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _family(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return [pid, *(p for c in children for p in _family(c))]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def coordination_server(env: dict[str, str], workers: int = 1) -> Served:
    command = [str(BIN / "coordination"), "serve", "--no-projections", "--workers", str(workers)]
    return Served(command, env)


def default_server(env: dict[str, str]) -> Served:
    """`coordination serve` as a user starts it: the projections in a process of their
    own, which it supervises. Up once `/readyz` says the projections are kept."""
    return Served([str(BIN / "coordination"), "serve"], env, ready="/readyz")


def naive_server(env: dict[str, str]) -> Served:
    command = [sys.executable, "-m", "uvicorn", "bench.naive:app", "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    return Served(command, env)


# 1. Ingest


Encode = Callable[[str, UUID, dict[str, Any]], bytes]


def coordination_requests(token: str) -> Encode:
    def encode(url: str, case_id: UUID, payload: dict[str, Any]) -> bytes:
        # A real client sends an idempotency key, so the server does that work too.
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid4().hex}
        body = json.dumps(jsonable_encoder(payload)).encode()
        return load.request(url, f"/v1/cases/{case_id}/events", body, headers)

    return encode


def naive_requests(lead: str) -> Encode:
    def encode(url: str, case_id: UUID, payload: dict[str, Any]) -> bytes:
        body = json.dumps({**jsonable_encoder(payload), "agency": lead}).encode()
        return load.request(url, f"/cases/{case_id}/events", body, {})

    return encode


def http_ingest(server: Served, work: Workload, encode: Encode) -> dict[str, float]:
    """All clients start together; each sends its events one after the other, from a
    process of its own (bench/load.py), and every answer must be 201. With the rates:
    the CPU the server and the clients spent per request."""
    requests = [[encode(server.url, case_id, payload) for case_id, payload in mine]
                for mine in work.per_client]  # fmt: skip
    server_cpu = server.cpu_seconds()
    elapsed, latencies, client_cpu = load.run(server.url, requests, expect=201)
    server_cpu = server.cpu_seconds() - server_cpu
    n = len(latencies)
    return latency_figures(elapsed, latencies) | {
        "server_cpu_ms": server_cpu / n * 1000, "client_cpu_ms": client_cpu / n * 1000}  # fmt: skip


def in_process_ingest(svc: Services, work: Workload) -> dict[str, float]:
    """The same events through CaseService.record_event: no HTTP, one at a time."""
    agency = svc.directory.get_agency(work.lead)
    assert agency is not None
    caller = Caller(Principal(agency, Role.CASEWORKER, "bench", "bench"), "bench")
    latencies = []
    began = time.perf_counter()
    for events in work.per_client:
        for case_id, payload in events:
            fields = dict(payload)
            kind = fields.pop("type")
            t = time.perf_counter()
            svc.cases.record_event(caller, case_id, kind, fields, None, None)
            latencies.append(time.perf_counter() - t)
    return latency_figures(time.perf_counter() - began, latencies)


# 2.-4. Reading


def catch_up(svc: Services) -> dict[str, float]:
    """Rebuild the caseload from zero over the whole store."""
    svc.projection("caseload").view.clear()
    began = time.perf_counter()
    events = Follower(svc.app, svc.projection("caseload")).catch_up()
    seconds = time.perf_counter() - began
    return {"events": events, "seconds": seconds, "events_per_s": events / seconds}


def load_case(svc: Services, case_id: UUID, repeats: int) -> dict[str, Any]:
    """The repository's load (a snapshot and the events after it) against a replay of
    every event from the first, as a store without snapshots loads the case."""

    def replay() -> Case:
        case: Case | None = project_case(None, svc.app.events.get(case_id))
        assert case is not None
        return case

    def timed(load: Callable[[], Case]) -> dict[str, float]:
        timings = []
        for _ in range(repeats):
            t = time.perf_counter()
            case = load()
            timings.append(time.perf_counter() - t)
        return {"events": case.version, "p50_ms": percentile(timings, 0.5) * 1000,
                "p99_ms": percentile(timings, 0.99) * 1000}  # fmt: skip

    return {"with_snapshots": timed(lambda: svc.app.get_case(case_id)),
            "without_snapshots": timed(replay)}  # fmt: skip


def caseload_pages(svc: Services, reads: int, now: datetime) -> dict[str, float]:
    """First pages (50 items) of every agency's caseload, round robin, via read_page."""
    agencies = all_agencies()
    timings = []
    for i in range(reads):
        t = time.perf_counter()
        read_page(svc.caseload, CaseloadQuery(agencies[i % len(agencies)], now, limit=50))
        timings.append(time.perf_counter() - t)
    return {"reads": reads, "p50_ms": percentile(timings, 0.5) * 1000,
            "p99_ms": percentile(timings, 0.99) * 1000}  # fmt: skip
