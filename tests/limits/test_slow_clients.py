"""Slow clients hold only their own connection, and only for REQUEST_SECONDS.

The server runs with `coordination serve`'s uvicorn options (api/serving.py), the
request deadline shortened to REQUEST_SECONDS so the tests stay quick.
"""

import threading
import time

import httpx
import pytest

from coordination.domain.identity import AgencyKind
from tests.limits.conftest import REQUEST_SECONDS, Limited, closed_by_server, connect, read_until
from tests.people import PERSON
from tests.support import add_agency

SLOW_CLIENTS = 50  # well under limit_concurrency (200)
PARTIAL_HEAD = b"GET /v1/caseload HTTP/1.1\r\nHost: test\r\nX-Slow: "


@pytest.fixture
def case(limited: Limited) -> tuple[str, str]:
    """(token, case_id) of a caseworker on the limited server's database."""
    token = add_agency(limited.services, "abh-mayen-koblenz", AgencyKind.AUSLAENDERBEHOERDE,
                       "mayen-koblenz")  # fmt: skip
    body = {"person": PERSON, "municipality": "mayen-koblenz"}
    headers = {"Authorization": f"Bearer {token}"}
    opened = httpx.post(f"{limited.base_url}/v1/cases", json=body, headers=headers)
    assert opened.status_code == 201, opened.text
    return token, opened.json()["case_id"]


def version_of(limited: Limited, token: str, case_id: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.get(f"{limited.base_url}/v1/cases/{case_id}", headers=headers)
    version: int = response.json()["version"]
    return version


def test_clients_trickling_their_headers_do_not_keep_others_waiting(
    limited: Limited, case: tuple[str, str]
) -> None:
    token, case_id = case
    slow = [connect(limited.base_url) for _ in range(SLOW_CLIENTS)]
    try:
        for sock in slow:
            sock.sendall(PARTIAL_HEAD)
        started = time.monotonic()
        with httpx.Client(base_url=limited.base_url, timeout=5) as client:
            health = client.get("/healthz")
            read = client.get(f"/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
        elapsed = time.monotonic() - started
    finally:
        for sock in slow:
            sock.close()
    print(f"slow clients: {SLOW_CLIENTS} connections mid-header; two normal requests answered "
          f"{health.status_code}, {read.status_code} in {elapsed * 1000:.0f} ms")  # fmt: skip
    assert (health.status_code, read.status_code) == (200, 200)
    assert elapsed < REQUEST_SECONDS


def test_a_request_head_still_incomplete_at_the_deadline_is_cut_off(limited: Limited) -> None:
    """Even while bytes keep trickling in (which resets uvicorn's keep-alive timer)."""
    sock = connect(limited.base_url)
    stop = threading.Event()

    def trickle() -> None:
        try:
            sock.sendall(PARTIAL_HEAD)
            while not stop.wait(0.1):
                sock.sendall(b"x")
        except OSError:
            pass  # the server hung up: what we wait for

    sender = threading.Thread(target=trickle, daemon=True)
    started = time.monotonic()
    sender.start()
    try:
        closed = closed_by_server(sock, within=REQUEST_SECONDS + 3)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        sender.join(timeout=2)
        sock.close()
    print(f"slowloris: cut off after {elapsed:.2f} s (deadline {REQUEST_SECONDS} s)")
    assert closed
    assert REQUEST_SECONDS * 0.8 <= elapsed < REQUEST_SECONDS + 2


def test_a_body_still_incomplete_at_the_deadline_is_cut_off_and_nothing_recorded(
    limited: Limited, case: tuple[str, str]
) -> None:
    token, case_id = case
    whole_json = b'{"type": "CaseClosed", "reason": "slow"}'
    with connect(limited.base_url) as sock:
        started = time.monotonic()
        sock.sendall(
            f"POST /v1/cases/{case_id}/events HTTP/1.1\r\nHost: test\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(whole_json) + 10}\r\n\r\n".encode()
            + whole_json
        )  # ten bytes short of what it announced
        assert closed_by_server(sock, within=REQUEST_SECONDS + 3)
        elapsed = time.monotonic() - started
    print(f"slow body: cut off after {elapsed:.2f} s")
    assert version_of(limited, token, case_id) == 1


def test_a_client_leaving_mid_body_gets_nothing_recorded(
    limited: Limited, case: tuple[str, str]
) -> None:
    """The part that came is valid JSON; it must not be taken for the whole body."""
    token, case_id = case
    whole_json = b'{"type": "CaseClosed", "reason": "gone"}'
    with connect(limited.base_url) as sock:
        sock.sendall(
            f"POST /v1/cases/{case_id}/events HTTP/1.1\r\nHost: test\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(whole_json) + 10}\r\n\r\n".encode()
            + whole_json
        )
        time.sleep(0.2)
    time.sleep(0.3)
    assert version_of(limited, token, case_id) == 1


def test_an_unfinished_request_head_over_16_kib_is_refused_at_once(limited: Limited) -> None:
    """uvicorn buffers at most 16 KiB of a head that has not ended yet (h11's limit)."""
    with connect(limited.base_url) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: " + b"x" * 20_000)
        answer = read_until(sock, b"\r\n\r\n")
        assert closed_by_server(sock, within=REQUEST_SECONDS / 2)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:100]
