"""The web app's security measures, each checked against the served app on both stores."""

import json
import re
from uuid import UUID

import httpx
import pyotp
import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.e2e.web import PASSWORD, account, hidden, open_case, sign_in
from tests.support import FakeClock, ServedApp, add_agency

SCRIPT = "<script>alert(1)</script>"
CASE_PATH = re.compile(r"^/cases/[0-9a-f-]{36}(\?recorded=\w+)?$")


def test_a_form_without_its_csrf_token_changes_nothing(
    browser: httpx.Client, services: Services
) -> None:
    sign_in(browser, account(services, "mbe-mk", "mira@mbe.example"))
    form = hidden(browser.get("/cases/new").text)
    head = services.app.recorder.max_notification_id()
    person = {"person.given_name": "Amina", "person.family_name": "Haddad",
              "municipality": "mayen-koblenz"}  # fmt: skip
    for token in ({}, {"csrf_token": "forged"}):
        answer = browser.post(
            "/cases", data={**person, **token, "idempotency_key": form["idempotency_key"]}
        )
        assert answer.status_code == 403
        assert "Das Formular ist abgelaufen" in answer.text
    assert services.app.recorder.max_notification_id() == head
    assert open_case(browser, given_name="Amina", family_name="Haddad").status_code == 303


def test_a_session_id_planted_before_sign_in_is_never_taken_on(
    browser: httpx.Client, services: Services
) -> None:
    email = account(services, "mbe-mk", "mira@mbe.example")
    browser.cookies.set("session", "chosen-by-an-attacker", domain="127.0.0.1", path="/")
    signed_in = sign_in(browser, email)
    assert signed_in.status_code == 303
    issued = browser.cookies.get("session")
    assert issued
    assert issued != "chosen-by-an-attacker"
    assert services.accounts.session("chosen-by-an-attacker") is None


def test_sign_out_ends_the_session_on_the_server(browser: httpx.Client, services: Services) -> None:
    sign_in(browser, account(services, "mbe-mk", "mira@mbe.example"))
    old = browser.cookies.get("session")
    assert old is not None
    csrf = hidden(browser.get("/worklist").text)["csrf_token"]
    assert browser.post("/sign-out", data={"csrf_token": csrf}).headers["location"] == "/"
    # The cookie a thief copied before is worth nothing now.
    browser.cookies.set("session", old, domain="127.0.0.1", path="/")
    answer = browser.get("/worklist")
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    assert services.accounts.session(old) is None


def test_session_cookie_flags_and_the_content_security_policy(
    browser: httpx.Client, services: Services
) -> None:
    signed_in = sign_in(browser, account(services, "mbe-mk", "mira@mbe.example"))
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    page = browser.get("/worklist")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    # No inline script, handler or style in the page that policy would have to allow.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert not re.search(r"\son[a-z]+=", page.text)
    assert " style=" not in page.text


def test_over_https_the_cookie_is_secure_and_host_only(
    settings: Settings, services: Services, clock: FakeClock
) -> None:
    secure = settings.model_copy(update={"public_url": "https://koordination.example"})
    email = account(services, "mbe-mk", "mira@mbe.example")
    with ServedApp(create_app(secure, clock)) as url, httpx.Client(base_url=url) as client:
        cookie = sign_in(client, email).headers["set-cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie


def test_a_script_in_free_text_is_shown_as_text(browser: httpx.Client, services: Services) -> None:
    email = account(services, "mbe-mk", "mira@mbe.example", name=f"Mira {SCRIPT}")
    sign_in(browser, email)
    opened = open_case(browser, given_name=SCRIPT, family_name=f"Haddad {SCRIPT}",
                       nationality="SY")  # fmt: skip
    page = browser.get(opened.headers["location"])
    assert page.status_code == 200
    assert SCRIPT not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    form = hidden(page.text)
    refused = browser.post(
        page.url.path + "/events/CaseClosed",
        data={**form, "reason": SCRIPT * 600},  # too long: the form comes back with errors
    )
    assert refused.status_code == 400
    assert SCRIPT not in refused.text


def test_no_personal_data_in_any_url_or_log_line(
    settings: Settings, services: Services, clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    logging = settings.model_copy(update={"log_level": "INFO"})
    with ServedApp(create_app(logging, clock)) as url, httpx.Client(base_url=url) as browser:
        sign_in(browser, account(services, "mbe-mk", "mira@mbe.example"))
        capsys.readouterr()
        person_seen_by(browser)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert [line["route"] for line in lines if line.get("event") == "request"] == [
        "/cases/new",
        "/cases",
        "/cases/{case_id}",
    ]
    logged = json.dumps(lines)
    for canary in ("Quorralind", "Vexbrannet", "1987-12-29", "5550199", "mira@mbe.example"):
        assert canary not in logged


def person_seen_by(browser: httpx.Client) -> None:
    """Opens a case with a name no log could hold by chance, and reads its page."""
    opened = open_case(browser, given_name="Quorralind", family_name="Vexbrannet",
                       date_of_birth="1987-12-29", phone="+49 170 5550199")  # fmt: skip
    location = opened.headers["location"]
    assert CASE_PATH.match(location)
    page = browser.get(location)
    assert "Quorralind" in page.text
    links = re.findall(r'(?:href|action|hx-get)="([^"]+)"', page.text)
    for link in links:
        assert "Quorralind" not in link
        assert "Vexbrannet" not in link
        assert "1987" not in link


def test_an_account_of_one_agency_cannot_open_another_agencys_case(
    browser: httpx.Client, services: Services, served: httpx.Client
) -> None:
    sign_in(browser, account(services, "abh-mk", "anna@abh.example"))
    case_path = open_case(browser, given_name="Amina", family_name="Haddad").headers["location"]
    case_path = case_path.split("?")[0]
    with httpx.Client(base_url=str(served.base_url)) as other:
        sign_in(other, account(services, "jobcenter-mk", "jonas@jc.example"))
        answer = other.get(case_path)
        assert answer.status_code == 404
        assert "Amina" not in answer.text
        csrf = hidden(other.get("/worklist").text)["csrf_token"]
        recorded = other.post(case_path + "/events/CaseClosed",
                              data={"csrf_token": csrf, "reason": "not mine"})  # fmt: skip
        assert recorded.status_code == 404
    case_id = case_path.rsplit("/", 1)[1]
    refusals = [e for e in services.access_log.for_case(case_id) if e.action == "refused"]
    assert {e.agency_id for e in refusals} == {"jobcenter-mk"}


def test_a_dpo_sets_up_and_then_uses_a_second_factor(
    browser: httpx.Client, services: Services, clock: FakeClock
) -> None:
    add_agency(services, "mbe-mk", municipality="mayen-koblenz")
    services.accounts.add("dana@mbe.example", "mbe-mk", (Role.DPO,), "Dana", PASSWORD)
    signed_in = sign_in(browser, "dana@mbe.example")
    assert signed_in.headers["location"] == "/dpo"
    # Until the second step is done, no page but that step opens.
    held = browser.get("/dpo")
    assert (held.status_code, held.headers["location"]) == (303, "/second-factor")
    setup = browser.get("/second-factor")
    secret = re.search(r'<code class="second-factor__key">(\w+)</code>', setup.text)
    assert secret is not None
    code = pyotp.TOTP(secret[1]).at(clock.now)
    csrf = hidden(setup.text)["csrf_token"]
    wrong = browser.post("/second-factor", data={"csrf_token": csrf, "code": "12345x"})
    assert wrong.status_code == 400
    done = browser.post("/second-factor", data={"csrf_token": csrf, "code": code})
    assert done.headers["location"] == "/dpo"
    assert browser.get("/dpo").status_code == 200

    clock.advance(seconds=90)
    with httpx.Client(base_url=str(browser.base_url)) as later:
        sign_in(later, "dana@mbe.example")
        asked = later.get("/second-factor")
        assert "second-factor__key" not in asked.text  # the secret is shown once only
        csrf = hidden(asked.text)["csrf_token"]
        code = pyotp.TOTP(secret[1]).at(clock.now)
        assert (
            later.post("/second-factor", data={"csrf_token": csrf, "code": code}).headers[
                "location"
            ]
            == "/dpo"
        )


def test_a_person_with_two_roles_switches_workspaces_but_not_into_a_role_not_held(
    browser: httpx.Client, services: Services
) -> None:
    add_agency(services, "stadt-mk", municipality="mayen-koblenz")
    roles = (Role.CASEWORKER, Role.AUDITOR)
    services.accounts.add("kai@stadt.example", "stadt-mk", roles, "Kai", PASSWORD)
    assert sign_in(browser, "kai@stadt.example").headers["location"] == "/worklist"
    csrf = hidden(browser.get("/worklist").text)["csrf_token"]
    refused = browser.post("/role", data={"csrf_token": csrf, "role": "dpo"})
    assert refused.headers["location"] == "/worklist"
    assert browser.get("/worklist").status_code == 200
    switched = browser.post("/role", data={"csrf_token": csrf, "role": "auditor"})
    assert switched.headers["location"] == "/audit/cases"
    page = browser.get("/worklist")
    assert page.status_code == 403
    assert "Nicht für Ihre Rolle" in page.text
    assert browser.post("/role", data={"role": "caseworker"}).status_code == 403  # no token


def test_the_sign_in_form_without_its_token_signs_no_one_in(
    browser: httpx.Client, services: Services
) -> None:
    email = account(services, "mbe-mk", "mira@mbe.example")
    browser.get("/")
    answer = browser.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 403
    assert "session" not in answer.headers.get("set-cookie", "")


def test_the_language_switch_leads_only_to_this_sites_pages(browser: httpx.Client) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = browser.get("/language/en", params={"next": target})
        assert answer.headers["location"] == "/"
    assert browser.get("/language/en", params={"next": "/inbox"}).headers["location"] == "/inbox"


def test_a_double_submit_records_once_and_names_the_person_who_acted(
    browser: httpx.Client, services: Services
) -> None:
    sign_in(browser, account(services, "abh-mk", "anna@abh.example", name="Anna Berger"))
    case_path = open_case(browser, given_name="Amina", family_name="Haddad").headers["location"]
    case_path = case_path.split("?")[0]
    case_id = UUID(case_path.rsplit("/", 1)[1])
    user = services.accounts.listed()[0].user_id
    # A refusal is on the access log, naming the person.
    add_agency(services, "jobcenter-mk", municipality="mayen-koblenz")
    refer = {**hidden(browser.get(case_path).text), "to_agency": "jobcenter-mk",
             "purpose": "job_placement", "categories": "identity"}  # fmt: skip
    assert browser.post(case_path + "/events/ReferralSent", data=refer).status_code == 422
    refusals = [e for e in services.access_log.for_case(str(case_id)) if e.action == "refused"]
    assert [(e.agency_id, e.user) for e in refusals] == [("abh-mk", user)]

    form = hidden(browser.get(case_path).text)
    close = {**form, "idempotency_key": "one-click", "reason": "moved away"}
    first = browser.post(case_path + "/events/CaseClosed", data=close)
    second = browser.post(case_path + "/events/CaseClosed", data=close)
    assert first.status_code == second.status_code == 303
    history = services.app.history(case_id)
    assert [type(e).__name__ for e in history] == ["CaseOpened", "CaseClosed"]
    assert {e.user for e in history} == {user}
    assert services.accounts.names([user]) == {user: "Anna Berger"}
