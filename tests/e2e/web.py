"""A person in the web app, over HTTP: signs in, reads pages, sends forms."""

import re
from typing import Any

import httpx

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.support import add_agency

PASSWORD = "a long enough test passphrase"


def without_second_factor(database_url: str, **more: Any) -> Settings:
    """A deployment that asks no role for a second factor: the stories of the oversight
    workspaces sign in with a password alone (the second factor has tests of its own)."""
    return Settings(database_url=database_url, log_level="WARNING", require_2fa_for=[], **more)


_FIELD = re.compile(r'name="(csrf_token|idempotency_key|version)" value="([^"]*)"')


def account(svc: Services, agency_id: str, email: str, name: str = "Test Person") -> str:
    add_agency(svc, agency_id, municipality="mayen-koblenz")
    svc.accounts.add(email, agency_id, (Role.CASEWORKER,), name, PASSWORD)
    return email


def hidden(html: str) -> dict[str, str]:
    """The first value of each control field a page's forms carry."""
    found: dict[str, str] = {}
    for name, value in _FIELD.findall(html):
        found.setdefault(name, value)
    return found


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/")
    token = hidden(page.text)["csrf_token"]
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": token})  # fmt: skip


def open_case(client: httpx.Client, **person: str) -> httpx.Response:
    form = client.get("/cases/new")
    data = {**hidden(form.text), "municipality": "mayen-koblenz"}
    data |= {f"person.{k}": v for k, v in person.items()}
    return client.post("/cases", data=data)
