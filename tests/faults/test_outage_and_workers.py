"""The database goes away under load; two API processes share one store."""

import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import httpx
import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from coordination.bootstrap import Services
from tests.faults.conftest import SCALE, caseworker
from tests.faults.server import APP_NAME, Server, post_keyed
from tests.support import PG_DSN

T = TypeVar("T")
BODY = {"person": {"given_name": "A", "family_name": "B"}, "municipality": "leipzig"}


def terminate_our_sessions() -> int:
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (APP_NAME,),
        ).fetchall()
    return len(rows)


def restart_postgres() -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True)  # fmt: skip


class Load:
    """Posts one keyed event after another, recording every status and acknowledgement."""

    def __init__(self, url: str, token: str, case_id: str) -> None:
        self.url, self.token, self.case_id = url, token, case_id
        self.statuses: Counter[int] = Counter()
        self.acked: dict[str, float] = {}
        self.stop = threading.Event()
        self.sent = 0
        # A daemon, and stopped in `finally`: a failing test must not leave it running.
        self.thread = threading.Thread(target=self.run, daemon=True)

    def post(self, client: httpx.Client, key: str) -> int:
        status = post_keyed(client, self.token, self.case_id, key)
        if status == 201:
            self.acked[key] = time.monotonic()
        return status

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                self.statuses[self.post(client, f"k-{self.sent}")] += 1
                self.sent += 1


@pytest.mark.parametrize("fault", ["connections-terminated", "postgres-restarted"])
def test_the_service_answers_503_while_the_database_is_gone_and_recovers(
    fault: str, pg_url: str, pg_services: Services, env: dict[str, str], tmp_path: Path
) -> None:
    if fault == "postgres-restarted" and os.environ.get("FAULTS_RESTART_POSTGRES") != "1":
        pytest.skip("restarts the machine's PostgreSQL: only in `make test-faults`")
    token = caseworker(pg_services)
    server = Server(pg_url, tmp_path, **env).start()
    auth = {"Authorization": f"Bearer {token}"}
    case_id = httpx.post(f"{server.url}/v1/cases", json=BODY, headers=auth).json()["case_id"]
    load = Load(server.url, token, case_id)
    try:
        load.thread.start()
        time.sleep(0.5)

        # 1. The database goes away for a while, under load.
        faults = 0
        if fault == "postgres-restarted":
            restart_postgres()
            faults = 1
        else:
            until = time.monotonic() + 1.5 * SCALE
            while time.monotonic() < until:
                faults += terminate_our_sessions()
                time.sleep(0.05)
        back = time.monotonic()

        # 2. It is back: the service recovers by itself within 10 s.
        assert wait_for_ack_after(load, back, timeout=10.0), load.statuses
        recovered_in = min(t for t in load.acked.values() if t > back) - back
    finally:
        load.stop.set()
        load.thread.join(timeout=30)
        server.stop()

    # 3. Only 201 or 503 (or a dropped connection) was ever answered; nothing acked is lost.
    history = read_after_fault(lambda: pg_services.app.history(UUID(case_id)))
    stored = Counter(e.qualification_id for e in history if hasattr(e, "qualification_id"))
    lost = set(load.acked) - set(stored)
    duplicated = [k for k, n in stored.items() if n > 1]
    print(f"\noutage ({fault}): {load.sent} requests, {faults} faults injected, statuses "
          f"{dict(load.statuses)}, {len(load.acked)} acknowledged, lost {len(lost)}, duplicated "
          f"{len(duplicated)}, recovered {recovered_in:.2f} s after")  # fmt: skip
    assert set(load.statuses) <= {201, 503, 0}
    assert lost == set()
    assert duplicated == []


def read_after_fault(read: Callable[[], T]) -> T:
    """This test's own pool lost its connections too: each dead one fails one read."""
    for _ in range(30):
        try:
            return read()
        except OperationalError:
            time.sleep(0.1)
    return read()


def wait_for_ack_after(load: Load, since: float, timeout: float) -> bool:
    deadline = since + timeout
    while time.monotonic() < deadline:
        if any(t > since for t in load.acked.values()):
            return True
        time.sleep(0.02)
    return False


def test_two_api_processes_on_one_store_lose_nothing_and_decide_on_fresh_state(
    pg_url: str, pg_services: Services, env: dict[str, str], tmp_path: Path
) -> None:
    lead = caseworker(pg_services, "abh-leipzig")
    mbe = caseworker(pg_services, "mbe-leipzig")
    a, b = Server(pg_url, tmp_path, **env).start(), Server(pg_url, tmp_path, **env).start()
    try:

        def post(url: str, token: str, case_id: str, body: dict[str, object]) -> httpx.Response:
            return httpx.post(f"{url}/v1/cases/{case_id}/events", json=body, timeout=30,
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip

        auth = {"Authorization": f"Bearer {lead}"}
        case_id = httpx.post(f"{a.url}/v1/cases", json=BODY, headers=auth).json()["case_id"]
        grant = {"type": "ConsentGranted", "recipients": ["mbe-leipzig"],
                 "purposes": ["counselling"], "categories": ["identity"],
                 "given_on": "2026-01-01", "evidence": {"method": "written"}}  # fmt: skip
        assert post(a.url, lead, case_id, grant).status_code == 201

        # 1. Twenty concurrent posts through both workers: each lands once, in order.
        def one(n: int) -> httpx.Response:
            url, token = (a.url, lead) if n % 2 else (b.url, mbe)
            body = {"type": "QualificationRecorded", "title": "x", "country": "SY",
                    "qualification_id": f"q-{n}"}  # fmt: skip
            return post(url, token, case_id, body)

        with ThreadPoolExecutor(max_workers=20) as pool:
            responses = list(pool.map(one, range(20)))
        assert [r.status_code for r in responses] == [201] * 20
        assert sorted(r.json()["version"] for r in responses) == list(range(3, 23))

        # 2. Consent withdrawn through one worker refuses a disclosure through the other.
        withdraw = {"type": "ConsentWithdrawn", "consent_id": "consent-1"}
        assert post(b.url, lead, case_id, withdraw).status_code == 201
        referral = {"type": "ReferralSent", "to_agency": "mbe-leipzig",
                    "purpose": "counselling", "categories": ["identity"]}  # fmt: skip
        refused = post(a.url, lead, case_id, referral)
        assert refused.status_code == 403
        assert refused.json()["code"] == "consent-required"
        print(
            "\nworkers: 2 processes, 20 concurrent posts, versions 3..22 each once, "
            "withdrawal seen by the other worker at once"
        )
    finally:
        a.stop()
        b.stop()
