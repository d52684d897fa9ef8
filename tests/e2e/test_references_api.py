"""An agency's own file number over HTTP and in the web app (ADR 0062)."""

import re
import time

import httpx

from coordination.bootstrap import Services
from tests.e2e.conftest import Api, body
from tests.e2e.web import account, hidden, sign_in


def test_the_job_centre_attaches_its_number_and_finds_the_case_by_it(
    api: Api, services: Services, browser: httpx.Client
) -> None:
    abh, jobcenter = api.agency("abh-leipzig"), api.agency("jobcenter-leipzig")
    case_id = api.open_case(abh)
    assert api.grant(abh, case_id, "jobcenter-leipzig", ["case_management"],
                     ["identity"]).status_code == 201  # fmt: skip
    number = {"scheme": "ba_kundennummer", "reference": "123D456789"}
    assert (
        api.post(jobcenter, case_id, type="ExternalReferenceRecorded", **number).status_code == 201
    )

    def search(who: str) -> list[str]:
        answer = body(api.as_(who, "POST", "/v1/people/search-by-reference", json=number))
        return [r["case_id"] for r in answer["results"]]

    deadline = time.monotonic() + 15
    while not search(jobcenter) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert search(jobcenter) == [case_id]
    assert search(abh) == []
    [event] = [e for e in api.get(abh, f"/v1/cases/{case_id}/history")["events"]
               if e["type"] == "ExternalReferenceRecorded"]  # fmt: skip
    assert event["data"] is None

    sign_in(browser, account(services, "jobcenter-leipzig", "jonas@jc.example"))
    csrf = hidden(browser.get("/search").text)["csrf_token"]
    page = browser.post("/search/reference", data={"csrf_token": csrf, **number}).text
    assert re.search(rf'href="/cases/{case_id}"', page)
    empty = browser.post("/search/reference", data={"csrf_token": csrf, "scheme": "x"})
    assert empty.status_code == 400
    assert 'href="#f-reference"' in empty.text
