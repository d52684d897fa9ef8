"""The statutory rule book in the web app: read by every oversight role, with its norms
and its history; added to and retired by an admin, with a reason, through the use case
of /v1/statutory-rules."""

import httpx
import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.e2e.web import PASSWORD, hidden, sign_in, without_second_factor
from tests.support import add_agency

RULE = {
    "rule_id": "test-88a-course", "from_kinds": "auslaenderbehoerde",
    "to_kinds": "sprachkurstraeger", "categories": ["identity", "contact"],
    "purpose": "language_course", "norm.citation": "§ 88a Abs. 1 AufenthG (Test)",
    "norm.text": "Die Ausländerbehörde übermittelt dem Kursträger, was er dazu braucht.",
    "valid_from": "2026-01-01", "reason": "Kursverwaltung im Landkreis",
}  # fmt: skip


@pytest.fixture
def settings(database_url: str) -> Settings:
    return without_second_factor(database_url)


def person(services: Services, browser: httpx.Client, role: Role) -> str:
    agency = f"kreis-mk-{role.value}"
    add_agency(services, agency, municipality="mayen-koblenz", role=role)
    email = f"{role.value}@kreis.example"
    services.accounts.add(email, agency, (role,), role.value.title(), PASSWORD)
    return str(sign_in(browser, email).headers["location"])


def test_an_admin_adds_and_retires_a_rule_that_a_dpo_then_reads(
    browser: httpx.Client, services: Services, served: httpx.Client
) -> None:
    assert person(services, browser, Role.ADMIN) == "/rules"
    page = browser.get("/rules").text
    csrf = hidden(page)["csrf_token"]

    incomplete = browser.post("/rules", data={**RULE, "norm.citation": "", "csrf_token": csrf})
    assert incomplete.status_code == 400
    assert 'id="error-summary"' in incomplete.text
    added = browser.post("/rules", data={**RULE, "csrf_token": csrf})
    assert added.headers["location"] == "/rules?done=added"
    shown = browser.get("/rules?done=added").text
    assert "Regel hinzugefügt." in shown
    assert "§ 88a Abs. 1 AufenthG (Test) · In Kraft" in shown
    assert "Kursverwaltung im Landkreis" in shown  # the reason, in the history
    twice = browser.post("/rules", data={**RULE, "csrf_token": csrf})
    assert twice.status_code == 422  # the book refuses a second rule of that id

    retired = browser.post(f"/rules/{RULE['rule_id']}/retirement",
                           data={"csrf_token": csrf, "reason": "Gesetz geändert"})  # fmt: skip
    assert retired.headers["location"] == "/rules?done=retired"
    assert "§ 88a Abs. 1 AufenthG (Test) · Außer Kraft gesetzt" in browser.get("/rules").text

    with httpx.Client(base_url=str(served.base_url), timeout=30) as dpo:
        person(services, dpo, Role.DPO)
        read = dpo.get("/rules").text
        assert "Gesetz geändert" in read
        assert "Regel außer Kraft setzen" not in read  # no admin's forms
        token = hidden(read)["csrf_token"]
        assert dpo.post("/rules", data={**RULE, "csrf_token": token}).status_code == 403
