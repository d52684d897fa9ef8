"""Signing in through an agency's identity provider (OpenID Connect), on both stores,
against a real test provider (oidc-provider-mock) serving on a loopback port."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx2
import oidc_provider_mock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.support import add_agency

HERE = "http://testserver"  # the web app as the test client reaches it
REFUSED = "Die Anmeldung über Behörden-Login wurde abgebrochen oder abgelehnt"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def settings(database_url: str, provider: str) -> Settings:
    return Settings(
        database_url=database_url, log_level="WARNING", public_url=HERE,
        oidc_issuer=provider, oidc_client_id="coordination", oidc_client_secret="a secret",
        oidc_name="Behörden-Login",
    )  # fmt: skip


@pytest.fixture
def browser(app: FastAPI, services: Services) -> Iterator[TestClient]:
    with TestClient(app, base_url=HERE, follow_redirects=False) as client:
        yield client


def person_at_provider(provider: str, sub: str, **claims: Any) -> None:
    """What the provider will say of the person who signs in as `sub`."""
    answer = httpx2.put(f"{provider}/users/{quote(sub)}", json=claims)
    assert answer.status_code == 204


def through_provider(browser: TestClient, sub: str) -> httpx2.Response:
    """Leaves for the provider, signs in there as `sub`, and comes back."""
    leaving = browser.get("/sign-in/provider")
    assert leaving.status_code == 302
    consented = httpx2.post(leaving.headers["location"], data={"sub": sub})
    assert consented.status_code == 302
    back = consented.headers["location"]
    assert back.startswith(f"{HERE}/sign-in/provider/back?")
    return browser.get(back)


def staff(services: Services, email: str, role: Role = Role.CASEWORKER) -> str:
    add_agency(services, "mbe-mk", municipality="mayen-koblenz")
    services.accounts.add(email, "mbe-mk", (role,), "Mira Berger")  # no password here
    return email


def test_a_caseworker_signs_in_with_her_agencys_account(
    browser: TestClient, services: Services, provider: str
) -> None:
    person_at_provider(provider, "k-4711", email="Mira@MBE.example", email_verified=True)
    staff(services, "mira@mbe.example")
    assert "Anmelden über Behörden-Login" in browser.get("/").text

    signed_in = through_provider(browser, "k-4711")

    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/worklist"
    assert "Mira Berger" in browser.get("/worklist").text
    browser.cookies.clear()
    assert through_provider(browser, "k-4711").headers["location"] == "/worklist"


def test_the_account_stays_with_the_identity_it_was_first_used_by(
    browser: TestClient, services: Services, provider: str
) -> None:
    person_at_provider(provider, "k-1", email="mira@mbe.example", email_verified=True)
    person_at_provider(provider, "k-2", email="mira@mbe.example", email_verified=True)
    staff(services, "mira@mbe.example")
    assert through_provider(browser, "k-1").status_code == 303
    browser.cookies.clear()

    refused = through_provider(browser, "k-2")

    assert refused.status_code == 400
    assert REFUSED in refused.text
    assert "session" not in refused.cookies


@pytest.mark.parametrize("claims", [
    {"email": "nobody@mbe.example", "email_verified": True},
    {"email": "mira@mbe.example", "email_verified": False},
    {},
], ids=["no-account", "unverified-address", "no-address"])  # fmt: skip
def test_an_identity_without_an_account_here_opens_nothing(
    browser: TestClient, services: Services, provider: str, claims: dict[str, Any]
) -> None:
    sub = f"k-{len(claims)}-{claims.get('email_verified')}"
    person_at_provider(provider, sub, **claims)
    staff(services, "mira@mbe.example")

    refused = through_provider(browser, sub)

    assert refused.status_code == 400
    assert REFUSED in refused.text
    assert browser.get("/worklist").headers["location"] == "/"


def test_a_disabled_account_is_refused_though_the_provider_vouches(
    browser: TestClient, services: Services, provider: str
) -> None:
    person_at_provider(provider, "k-9", email="mira@mbe.example", email_verified=True)
    services.accounts.disable(staff(services, "mira@mbe.example"))

    assert through_provider(browser, "k-9").status_code == 400


def test_a_return_that_did_not_start_here_or_comes_twice_is_refused(
    app: FastAPI, browser: TestClient, services: Services, provider: str
) -> None:
    person_at_provider(provider, "k-5", email="mira@mbe.example", email_verified=True)
    staff(services, "mira@mbe.example")
    leaving = browser.get("/sign-in/provider")
    back = httpx2.post(leaving.headers["location"], data={"sub": "k-5"}).headers["location"]
    stranger = TestClient(app, base_url=HERE, follow_redirects=False)  # no flow cookie
    planted = stranger.get(back)  # an attacker's code, sent to a victim (login CSRF)
    assert planted.status_code == 400
    assert "session" not in planted.cookies

    assert browser.get(back).status_code == 303
    browser.cookies.delete("session")
    assert browser.get(back).status_code == 400  # the state is spent


def test_a_dpo_gives_her_second_factor_unless_the_provider_checked_one(
    browser: TestClient, services: Services, provider: str
) -> None:
    staff(services, "dana@mbe.example", Role.DPO)
    person_at_provider(provider, "k-pwd", email="dana@mbe.example", email_verified=True)
    through_provider(browser, "k-pwd")
    assert browser.get("/start").headers["location"] == "/second-factor"
    browser.cookies.clear()

    person_at_provider(
        provider, "k-pwd", email="dana@mbe.example", email_verified=True, amr=["pwd", "otp"]
    )
    through_provider(browser, "k-pwd")
    assert browser.get("/start").status_code == 200


def test_without_a_provider_set_there_is_no_button_and_no_way_round(
    services: Services, database_url: str
) -> None:
    from coordination.entrypoints.api.app import create_app

    plain = create_app(Settings(database_url=database_url, log_level="WARNING"))
    with TestClient(plain, follow_redirects=False) as client:
        assert "Anmelden über" not in client.get("/").text
        assert client.get("/sign-in/provider").status_code == 404
        assert client.get("/sign-in/provider/back?code=x&state=y").status_code == 404
