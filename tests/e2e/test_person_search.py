"""Finding a person in the web app: variants found, other agencies' cases not, every
search logged without its terms."""

import re
import time
from datetime import UTC, datetime

import httpx

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from tests.e2e.conftest import Api, body
from tests.e2e.web import account, hidden, open_case, sign_in

FOUND = re.compile(r'<a class="kern-link" href="/cases/([0-9a-f-]{36})">([^<]*)</a>')


def search(client: httpx.Client, given: str, family: str, born: str) -> list[tuple[str, str]]:
    csrf = hidden(client.get("/search").text)["csrf_token"]
    answer = client.post(
        "/search",
        data={
            "csrf_token": csrf,
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
        },
    )
    assert answer.status_code == 200, answer.text
    return FOUND.findall(answer.text)


def found_soon(client: httpx.Client, *query: str) -> list[tuple[str, str]]:
    """The index is kept by a projection: a case opened a moment ago appears shortly."""
    deadline = time.monotonic() + 15
    while not (found := search(client, *query)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_a_caseworker_finds_a_person_by_a_variant_of_her_name(
    browser: httpx.Client, served: httpx.Client, services: Services
) -> None:
    sign_in(browser, account(services, "abh-mk", "anna@abh.example"))
    mohammed = open_case(browser, given_name="Mohammed", family_name="Haddad",
                         date_of_birth="1994-03-02").headers["location"]  # fmt: skip
    open_case(browser, given_name="Amina", family_name="Haddad", date_of_birth="1994-03-02")

    found = found_soon(browser, "Muhammad", "Haddad", "1994-03-02")
    assert found == [(mohammed.split("/")[2].split("?")[0], "Mohammed Haddad")]
    assert search(browser, "Muhammad", "Haddad", "1990-01-01") == []

    with httpx.Client(base_url=str(served.base_url)) as stranger:
        sign_in(stranger, account(services, "jobcenter-mk", "jonas@jc.example"))
        assert search(stranger, "Mohammed", "Haddad", "1994-03-02") == []

    searches = [e for e in services.access_log.between(*window()) if e.action == "search"]
    assert {e.agency_id for e in searches} == {"abh-mk", "jobcenter-mk"}
    logged = repr(searches)
    assert "Haddad" not in logged
    assert "1994" not in logged


def test_a_search_without_a_family_name_or_a_date_changes_nothing(
    browser: httpx.Client, services: Services
) -> None:
    sign_in(browser, account(services, "abh-mk", "anna@abh.example"))
    csrf = hidden(browser.get("/search").text)["csrf_token"]
    answer = browser.post("/search", data={"csrf_token": csrf, "given_name": "Amina",
                                           "date_of_birth": "not a day"})  # fmt: skip
    assert answer.status_code == 400
    assert 'href="#f-family_name"' in answer.text
    assert 'href="#f-date_of_birth"' in answer.text
    assert not [e for e in services.access_log.between(*window()) if e.action == "search"]


def window() -> tuple[datetime, datetime]:
    return datetime(2000, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)


def test_agencies_systems_search_through_the_api(api: Api, services: Services) -> None:
    lead = api.agency("abh-mk")
    other = api.agency("jobcenter-mk")
    person = {"given_name": "Олександр", "family_name": "Шевченко", "date_of_birth": "1990-05-17"}
    case_id = api.open_case(lead, person=person)
    query = {"given_name": "Oleksandr", "family_name": "Shevchenko",
             "date_of_birth": "1990-05-17"}  # fmt: skip
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        results = body(api.as_(lead, "POST", "/v1/people/search", json=query))["results"]
        if results:
            break
        time.sleep(0.2)
    assert [(r["case_id"], r["display_name"]) for r in results] == [(case_id, "Олександр Шевченко")]
    assert body(api.as_(other, "POST", "/v1/people/search", json=query)) == {"results": []}
    bad = api.as_(lead, "POST", "/v1/people/search", json={**query, "nickname": "Sasha"})
    assert bad.status_code == 422
    auditor = api.agency("abh-mk", role=Role.AUDITOR)
    assert api.as_(auditor, "POST", "/v1/people/search", json=query).status_code == 403
    # Each search is logged with its number of results; the refused one is not a search.
    searches = [e for e in services.access_log.between(*window()) if e.action == "search"]
    assert [(e.agency_id, e.basis) for e in searches[-2:]] == [
        ("abh-mk", {"results": 1}),
        ("jobcenter-mk", {"results": 0}),
    ]
    assert {e.token_label for e in searches} == {"abh-mk-caseworker", "jobcenter-mk-caseworker"}
    assert "Shevchenko" not in repr(searches)
    assert "1990" not in repr(searches)
