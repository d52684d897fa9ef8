"""An agency's admin runs its tokens over /v1/tokens: each ends, the agency holds two per
role while it changes over, the last use shows, every issue and revocation is logged
(ADR 0055). On both stores."""

from typing import Any

import httpx

from coordination.adapters.store.access_log import LogFilter
from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api, body
from tests.support import FakeClock

AGENCY = "mbe-diakonie-mayen-koblenz"


def _admin(api: Api) -> str:
    return api.agency(AGENCY, AgencyKind.MIGRATIONSBERATUNG, role=Role.ADMIN)


def _issue(api: Api, admin: str, label: str, role: str = "caseworker") -> httpx.Response:
    return api.as_(admin, "POST", "/v1/tokens", json={"role": role, "label": label})


def _open_case(client: httpx.Client, token: str) -> httpx.Response:
    person = {"person": {"given_name": "A", "family_name": "B"}, "municipality": "mayen-koblenz"}
    return client.post("/v1/cases", json=person, headers={"Authorization": f"Bearer {token}"})


def _listed(api: Api, admin: str) -> dict[str, dict[str, Any]]:
    return {t["label"]: t for t in api.get(admin, "/v1/tokens")["tokens"]}


def test_an_agency_rotates_its_token_without_downtime(api: Api, clock: FakeClock) -> None:
    admin = _admin(api)
    # The system's token of this year, in use.
    old = body(_issue(api, admin, "fachverfahren-2026"), 201)
    assert old["expires_at"] == "2027-09-01T09:00:00Z"  # COORDINATION_TOKEN_DAYS: 365
    assert _open_case(api.client, old["token"]).status_code == 201
    # Its successor, issued while the old one still works: both work.
    issued = _issue(api, admin, "fachverfahren-2027")
    assert issued.headers["cache-control"] == "no-store"
    new = body(issued, 201)
    assert _open_case(api.client, new["token"]).status_code == 201
    assert _open_case(api.client, old["token"]).status_code == 201
    # A third caseworker token is refused while two are active; nothing is issued.
    third = _issue(api, admin, "one-too-many")
    assert body(third, 409)["code"] == "too-many-tokens"
    assert "one-too-many" not in _listed(api, admin)
    # The system has changed over: the old token is revoked, the new one goes on.
    revoked = body(api.as_(admin, "DELETE", f"/v1/tokens/{old['token_id']}"))
    assert (revoked["status"], revoked["revoked_at"]) == ("revoked", "2026-09-01T09:00:00Z")
    refused = _open_case(api.client, old["token"])
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated")
    assert _open_case(api.client, new["token"]).status_code == 201
    # The list shows each token's state and last use, never a secret.
    listed = _listed(api, admin)
    assert {label: t["status"] for label, t in listed.items() if label.startswith("fach")} == {
        "fachverfahren-2026": "revoked", "fachverfahren-2027": "active",
    }  # fmt: skip
    assert listed["fachverfahren-2027"]["last_used_at"] == "2026-09-01T09:00:00Z"
    assert all("token" not in t for t in listed.values())
    assert new["token"].split(".")[2] not in api.as_(admin, "GET", "/v1/tokens").text
    # Each issue and the revocation are on the access log, in the admin's name.
    log = api.services.access_log
    found, _ = log.search(LogFilter((AGENCY,)), 20)
    acts = [(e.action, e.basis["label"], e.role) for e in found if e.action.startswith("token")]
    assert acts == [
        ("token-revoked", "fachverfahren-2026", "admin"),
        ("token-issued", "fachverfahren-2027", "admin"),
        ("token-issued", "fachverfahren-2026", "admin"),
    ]
    assert all(new["token"].split(".")[2] not in str(e.basis) for e in found)


def test_an_expired_token_says_so_and_when(api: Api, clock: FakeClock) -> None:
    admin = _admin(api)
    token = body(_issue(api, admin, "fachverfahren"), 201)["token"]
    clock.advance(days=365)
    answer = _open_case(api.client, token)
    problem = body(answer, 401)
    assert problem["code"] == "token-expired"
    assert problem["expired_at"] == "2027-09-01T09:00:00Z"
    assert "expired at 2027-09-01T09:00:00Z" in problem["detail"]
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    # Only its holder learns it expired: a wrong secret gets the answer of any wrong token.
    prefix, token_id, secret = token.split(".")
    other = "A" if secret[0] != "A" else "B"
    wrong = _open_case(api.client, f"{prefix}.{token_id}.{other}{secret[1:]}")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "unauthenticated")
    # The admin's own token expired too: a new one lists the expired tokens as such,
    # and they no longer count against the two.
    api.tokens[admin] = api.services.directory.issue_token(AGENCY, Role.ADMIN).token
    assert _listed(api, admin)["fachverfahren"]["status"] == "expired"
    assert _issue(api, admin, "a").status_code == _issue(api, admin, "b").status_code == 201


def test_the_last_use_is_written_at_most_once_a_minute(api: Api, clock: FakeClock) -> None:
    admin = _admin(api)
    token = body(_issue(api, admin, "fachverfahren"), 201)["token"]
    assert _listed(api, admin)["fachverfahren"]["last_used_at"] is None
    for _ in range(3):  # at 9:00:00, 9:00:20 and 9:00:40
        assert _open_case(api.client, token).status_code == 201
        clock.advance(seconds=20)
    assert _listed(api, admin)["fachverfahren"]["last_used_at"] == "2026-09-01T09:00:00Z"
    assert _open_case(api.client, token).status_code == 201
    assert _listed(api, admin)["fachverfahren"]["last_used_at"] == "2026-09-01T09:01:00Z"


def test_only_an_admin_runs_tokens_and_only_its_own_agencys(api: Api) -> None:
    admin = _admin(api)
    caseworker = api.agency(AGENCY, AgencyKind.MIGRATIONSBERATUNG)
    other = api.agency("abh-mayen-koblenz", AgencyKind.AUSLAENDERBEHOERDE, role=Role.ADMIN)
    for method, url in (("GET", "/v1/tokens"), ("DELETE", "/v1/tokens/000000000000")):
        assert body(api.as_(caseworker, method, url), 403)["code"] == "forbidden"
    refused = api.as_(caseworker, "POST", "/v1/tokens", json={"role": "caseworker"})
    assert body(refused, 403)["code"] == "forbidden"
    # Another agency's admin finds none of this agency's tokens, and revokes none.
    mine = body(_issue(api, admin, "fachverfahren"), 201)
    assert "fachverfahren" not in _listed(api, other)
    assert body(api.as_(other, "DELETE", f"/v1/tokens/{mine['token_id']}"), 404)["code"] == (
        "not-found"
    )
    assert _open_case(api.client, mine["token"]).status_code == 201
    # The body names a role and a plain label, nothing else.
    for wrong in ({"role": "chief"}, {"role": "dpo", "agency": "abh-mayen-koblenz"},
                  {"role": "dpo", "label": "two words"}):  # fmt: skip
        assert body(api.as_(admin, "POST", "/v1/tokens", json=wrong), 422)["code"] == (
            "validation-error"
        )
