"""`coordination serve --workers 2`: two API processes behind one port, one store.

Each worker has its own write cache and group committer; the case core's
guarantees must hold across them: every acknowledged write lands once, in version
order, an idempotency key replays whichever worker answered first, If-Match holds,
and a consent withdrawn through one worker stops a referral through the other.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from coordination.bootstrap import Services
from tests.faults.conftest import caseworker
from tests.faults.server import Server

BODY = {"person": {"given_name": "A", "family_name": "B"}, "municipality": "leipzig"}
GRANT = {"type": "ConsentGranted", "recipients": ["mbe-leipzig"], "purposes": ["counselling"],
         "categories": ["identity"], "given_on": "2026-01-01", "evidence": {"method": "written"},
         "consent_id": "c-1"}  # fmt: skip
REFER = {"type": "ReferralSent", "to_agency": "mbe-leipzig", "purpose": "counselling",
         "categories": ["identity"]}  # fmt: skip


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_two_workers_keep_the_case_core_guarantees(
    pg_url: str, pg_services: Services, env: dict[str, str], tmp_path: Path
) -> None:
    token = caseworker(pg_services, "abh-leipzig")
    caseworker(pg_services, "mbe-leipzig")
    server = Server(pg_url, tmp_path, "--workers", "2", **env).start()
    try:
        assert server.proc is not None
        assert len(children(server.proc.pid)) >= 2  # the worker processes
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as api:
            case_id = api.post("/v1/cases", json=BODY).json()["case_id"]
            events = f"/v1/cases/{case_id}/events"
            assert api.post(events, json=GRANT).status_code == 201

            # 1. Forty concurrent referrals, each under its own key: each lands once.
            def refer(n: int) -> httpx.Response:
                with httpx.Client(base_url=server.url, headers=auth, timeout=30) as c:
                    return c.post(events, json=REFER, headers={"Idempotency-Key": f"k-{n}"})

            with ThreadPoolExecutor(max_workers=20) as pool:
                first = list(pool.map(refer, range(40)))
            assert [r.status_code for r in first] == [201] * 40
            versions = sorted(r.json()["version"] for r in first)
            assert versions == list(range(3, 43))
            # 2. The same keys again, through either worker: the first answers, replayed.
            with ThreadPoolExecutor(max_workers=20) as pool:
                again = list(pool.map(refer, range(40)))
            assert [r.json()["version"] for r in again] == [r.json()["version"] for r in first]
            assert all(r.headers["Idempotent-Replayed"] == "true" for r in again)
            # 3. If-Match: the stale version is refused, the current one accepted.
            stale = api.post(events, json=REFER, headers={"If-Match": '"41"'})
            assert stale.status_code == 412
            assert api.post(events, json=REFER, headers={"If-Match": '"42"'}).status_code == 201
            # 4. Withdrawn through one worker, refused through both (several tries each).
            withdraw = {"type": "ConsentWithdrawn", "consent_id": "c-1"}
            assert api.post(events, json=withdraw).status_code == 201
            with ThreadPoolExecutor(max_workers=8) as pool:
                after = list(pool.map(refer, range(100, 108)))
            assert {r.status_code for r in after} == {403}
            history = api.get(f"{events[: -len('/events')]}/history").json()["events"]
            assert len(history) == 1 + 1 + 40 + 1 + 1
    finally:
        server.stop()
