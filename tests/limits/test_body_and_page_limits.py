"""Body size (413) however the body comes, and page size (422 over 200)."""

import time
from collections.abc import Iterator

import pytest

from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.limits.conftest import connect, read_until

LEAD = "abh-mayen-koblenz"
LIMIT = Settings().max_body_bytes  # 256 KiB


@pytest.fixture
def case_id(api: Api) -> str:
    api.agency(LEAD)
    return api.open_case(LEAD)


def test_a_chunked_body_without_content_length_over_the_limit_is_413_and_records_nothing(
    api: Api, case_id: str
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        yield b'{"type": "CaseClosed", "reason": "'
        for _ in range(LIMIT // 65536 + 1):
            yield b"x" * 65536
        yield b'"}'

    headers = {"Authorization": f"Bearer {api.tokens[LEAD]}", "Content-Type": "application/json"}
    response = api.client.post(f"/v1/cases/{case_id}/events", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert response.json()["code"] == "payload-too-large"
    assert api.as_(LEAD, "GET", f"/v1/cases/{case_id}").json()["version"] == 1


def test_a_huge_declared_length_is_refused_at_once_without_reading_a_byte_of_it(
    api: Api, case_id: str
) -> None:
    with connect(str(api.client.base_url)) as sock:
        started = time.monotonic()
        sock.sendall(
            f"POST /v1/cases/{case_id}/events HTTP/1.1\r\nHost: test\r\n"
            f"Authorization: Bearer {api.tokens[LEAD]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {10 * 1024**3}\r\n\r\n".encode()
        )  # 10 GiB announced, none sent
        answer = read_until(sock, b"payload-too-large")
        elapsed = time.monotonic() - started
    status_line = answer.split(b"\r\n")[0].decode()
    print(f"10 GiB declared: {status_line!r} after {elapsed * 1000:.0f} ms")
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b"payload-too-large" in answer
    assert elapsed < 2


@pytest.mark.parametrize(("limit", "status"), [(200, 200), (201, 422), (0, 422), (-1, 422)])
def test_a_page_holds_at_most_200_items(api: Api, case_id: str, limit: int, status: int) -> None:
    response = api.as_(LEAD, "GET", f"/v1/caseload?limit={limit}")
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["code"] == "validation-error"
