"""SIGKILL in the middle of a load: every acknowledged event is stored exactly once,
and a killed projection process ends where a rebuild from zero ends."""

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from coordination.bootstrap import Services
from projections.runner import Follower
from tests.faults.conftest import SCALE, caseworker
from tests.faults.server import Process, Server, post_keyed
from tests.integration.test_projections import rows, story

CLIENTS, PER_CLIENT = 4, 40 * SCALE


def post_all(url: str, token: str, case_id: str, keys: list[str], acked: set[str]) -> None:
    """Post each key's event until acknowledged or the server is gone."""
    with httpx.Client(base_url=url, timeout=10) as client:
        for key in keys:
            status = post_keyed(client, token, case_id, key)
            if status == 0:
                return
            if status == 201:
                acked.add(key)


def test_a_killed_api_process_loses_no_acknowledged_event(
    pg_url: str, pg_services: Services, env: dict[str, str], tmp_path: Path
) -> None:
    token = caseworker(pg_services)
    server = Server(pg_url, tmp_path, **env).start()
    case_id = httpx.post(
        f"{server.url}/v1/cases", headers={"Authorization": f"Bearer {token}"},
        json={"person": {"given_name": "A", "family_name": "B"}, "municipality": "leipzig"},
    ).json()["case_id"]  # fmt: skip
    keys = [[f"q-{c}-{i}" for i in range(PER_CLIENT)] for c in range(CLIENTS)]
    acked: set[str] = set()

    # 1. Clients post with idempotency keys; the server is killed mid-load.
    threads = [threading.Thread(target=post_all, args=(server.url, token, case_id, k, acked))
               for k in keys]  # fmt: skip
    for t in threads:
        t.start()
    while len(acked) < CLIENTS * PER_CLIENT // 3:
        time.sleep(0.005)
    server.kill()
    for t in threads:
        t.join()
    acked_before_kill = len(acked)

    # 2. Restarted, the clients retry everything not acknowledged, with the same keys.
    server = Server(pg_url, tmp_path, **env).start()
    try:
        retry = [[k for k in ks if k not in acked] for ks in keys]
        deadline = time.monotonic() + 60
        while any(retry) and time.monotonic() < deadline:
            for ks in retry:
                post_all(server.url, token, case_id, ks, acked)
            retry = [[k for k in ks if k not in acked] for ks in retry]
    finally:
        server.stop()

    # 3. Every key is stored exactly once: nothing acknowledged lost, nothing doubled.
    history = pg_services.app.history(UUID(case_id))
    stored = Counter(e.qualification_id for e in history if hasattr(e, "qualification_id"))
    all_keys = {k for ks in keys for k in ks}
    lost = all_keys - set(stored)
    duplicated = [k for k, n in stored.items() if n > 1]
    print(f"\ncrash: {CLIENTS * PER_CLIENT} keys, 1 SIGKILL, {acked_before_kill} acknowledged "
          f"before it, {len(acked)} after retries, lost {len(lost)}, duplicated "
          f"{len(duplicated)}")  # fmt: skip
    assert lost == set()
    assert duplicated == []
    assert len(acked) == len(all_keys)


def test_a_killed_projection_process_ends_where_a_rebuild_ends(
    pg_url: str, pg_services: Services, env: dict[str, str], tmp_path: Path
) -> None:
    story(pg_services, cases=12 * SCALE)
    head = pg_services.app.recorder.max_notification_id() or 0
    view = pg_services.caseload

    # 1. A projection process starts catching up and is killed before it is done.
    one_by_one = {**env, "COORDINATION_PROJECTION_BATCH_SIZE": "1"}
    runner = Process(["projections", "run"], pg_url, tmp_path, **one_by_one).start()
    wait(lambda: view.position(pg_services.app.name) > 0, pause=0.001)
    runner.kill()
    killed_at = view.position(pg_services.app.name)
    assert 0 < killed_at < head

    # 2. Started again, it resumes from the last committed batch.
    runner = Process(["projections", "run"], pg_url, tmp_path, **env).start()
    try:
        assert wait(lambda: view.position(pg_services.app.name) == head)
    finally:
        runner.stop()
    live = rows(view)

    # 3. The result equals a rebuild from zero.
    view.clear()
    Follower(pg_services.app, pg_services.projection("caseload")).catch_up()
    print(f"\nprojection crash: {head} events, killed at {killed_at}, rows equal after restart")
    assert rows(view) == live


def wait(condition: Any, timeout: float = 30.0, pause: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(pause)
    return False
