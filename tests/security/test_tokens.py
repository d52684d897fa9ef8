"""Bearer tokens: compared in constant time, refused alike however they are wrong."""

import hmac
from collections.abc import Callable

import httpx
import pytest

from coordination.adapters.store import directory
from coordination.bootstrap import Services
from coordination.domain.identity import Role
from tests.support import add_agency

Compare = Callable[[str | bytes, str | bytes], bool]


@pytest.fixture
def token(services: Services) -> str:
    return add_agency(services, "abh-mayen-koblenz", municipality="mayen-koblenz")


def _recording(monkeypatch: pytest.MonkeyPatch, answer: Compare) -> list[tuple[object, object]]:
    calls: list[tuple[object, object]] = []

    def compare(a: str | bytes, b: str | bytes) -> bool:
        calls.append((a, b))
        return answer(a, b)

    monkeypatch.setattr(f"{directory.__name__}.hmac.compare_digest", compare)
    return calls


def _wrong_secret(token: str) -> str:
    prefix, token_id, secret = token.split(".")
    return f"{prefix}.{token_id}.{'A' if secret[0] != 'A' else 'B'}{secret[1:]}"


def test_the_secret_is_checked_with_hmac_compare_digest(
    services: Services, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _recording(monkeypatch, hmac.compare_digest)
    principal = services.directory.authenticate(token)
    assert principal is not None
    assert principal.role == Role.CASEWORKER
    assert len(calls) == 1
    stored, offered = calls[0]
    assert stored == offered
    assert isinstance(stored, str)
    assert len(stored) == 64  # SHA-256 hex digests of the secret, not the secret itself
    assert token.split(".")[2] not in (stored, offered)

    assert services.directory.authenticate(_wrong_secret(token)) is None
    assert len(calls) == 2
    assert calls[1][0] == stored
    assert calls[1][1] != stored


def test_compare_digest_alone_decides(
    services: Services, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No other comparison of the secret: whatever compare_digest says is the answer."""
    _recording(monkeypatch, lambda a, b: False)
    assert services.directory.authenticate(token) is None
    monkeypatch.undo()
    _recording(monkeypatch, lambda a, b: True)
    assert services.directory.authenticate(_wrong_secret(token)) is not None


def test_unknown_wrong_revoked_and_malformed_tokens_get_the_same_401(
    served: httpx.Client, services: Services, token: str
) -> None:
    revoked = add_agency(services, "abh-mayen-koblenz", municipality="mayen-koblenz")
    assert services.directory.revoke_token(revoked.split(".")[1])
    prefix, _, secret = token.split(".")
    offered = {
        "unknown token id": f"{prefix}.000000000000.{secret}",
        "wrong secret": _wrong_secret(token),
        "revoked": revoked,
        "malformed": "cst.only-two-parts",
        "foreign scheme": f"xyz.{token.split('.', 1)[1]}",
    }
    answers = {
        name: served.get("/v1/caseload", headers={"Authorization": f"Bearer {value}"})
        for name, value in offered.items()
    }
    assert served.get("/v1/caseload", headers={"Authorization": f"Bearer {token}"}).is_success

    def shape(response: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
        headers = {k: v for k, v in response.headers.items() if k not in ("x-request-id", "date")}
        return response.status_code, response.content, headers

    first = shape(answers["unknown token id"])
    assert first[0] == 401
    assert answers["unknown token id"].json()["code"] == "unauthenticated"
    assert first[2]["www-authenticate"] == "Bearer"
    for name, response in answers.items():
        assert shape(response) == first, name
