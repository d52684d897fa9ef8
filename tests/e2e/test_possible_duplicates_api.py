"""Possible duplicates over HTTP (ADR 0059): the opening's answer says whether one may
exist, and `GET /v1/possible-duplicates` shows the earlier case's lead agency its case
and whom to ask; an auditor may not list them."""

import time

import httpx
import pytest

from coordination.bootstrap import Services
from coordination.domain.identity import Role
from coordination.settings import Settings
from tests.e2e.conftest import Api, body
from tests.e2e.web import PASSWORD, account, sign_in, without_second_factor
from tests.support import add_agency

HASSAN = {"given_name": "Mohammed", "family_name": "Al-Hassan", "date_of_birth": "1991-04-17",
          "nationality": "SY"}  # fmt: skip


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The DPO signs in with a password alone here (the second factor has its own tests)."""
    return without_second_factor(database_url)


def indexed(api: Api, services: Services) -> None:
    """Until the person index holds the case the last opening recorded."""
    assert api.opened is not None
    position = int(api.opened.headers["X-Event-Position"])
    view = services.projection("person_index").view
    deadline = time.monotonic() + 15
    while view.position(services.app.name) < position and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_opening_says_a_possible_duplicate_exists_and_the_lead_sees_whom_to_ask(
    api: Api, services: Services, browser: httpx.Client
) -> None:
    abh, jobcenter = api.agency("abh-leipzig"), api.agency("jobcenter-leipzig")
    held = api.open_case(abh, person=HASSAN)
    assert api.opened is not None
    assert api.opened.json()["possible_duplicate"] is False
    indexed(api, services)

    new = api.open_case(jobcenter, person={**HASSAN, "given_name": "محمد",
                                           "family_name": "الحسن"})  # fmt: skip
    assert api.opened is not None
    assert api.opened.json() == {"case_id": new, "version": 1, "possible_duplicate": True}

    [pair] = api.get(abh, "/v1/possible-duplicates")["items"]
    assert pair["case_id"] == held
    assert (pair["other_agency"], pair["opened_here"]) == ("jobcenter-leipzig", False)
    assert api.get(jobcenter, "/v1/possible-duplicates") == {"items": []}

    auditor = api.agency("abh-leipzig", role=Role.AUDITOR)
    assert body(api.as_(auditor, "GET", "/v1/possible-duplicates"), 403)["code"] == "forbidden"

    # In the web app, each side's case page says what that side may know.
    sign_in(browser, account(services, "abh-leipzig", "anna@abh.example"))
    page = browser.get(f"/cases/{held}").text
    assert "Mögliche Dublette: Jobcenter-Leipzig hat einen Fall eröffnet" in page
    with httpx.Client(base_url=str(browser.base_url)) as other:
        sign_in(other, account(services, "jobcenter-leipzig", "jonas@jc.example"))
        page = other.get(f"/cases/{new}").text
        assert "Möglicherweise führt bereits eine andere Stelle einen Fall" in page
        assert held not in page


def a_pair(api: Api, services: Services) -> tuple[str, str, str, str]:
    """The authority holds Mohammed Al-Hassan; the job centre opens a case for Muhammad
    Al-Hassan, born the same day: (authority, job centre, held case, new case)."""
    abh, jobcenter = api.agency("abh-leipzig"), api.agency("jobcenter-leipzig")
    held = api.open_case(abh, person=HASSAN)
    indexed(api, services)
    new = api.open_case(jobcenter, person={**HASSAN, "given_name": "Muhammad"})
    return abh, jobcenter, held, new


def test_the_dpo_overview_lists_the_pairs_of_the_controllers_agencies(
    api: Api, services: Services, browser: httpx.Client
) -> None:
    _, _, held, _ = a_pair(api, services)

    add_agency(services, "abh-leipzig", municipality="mayen-koblenz")
    services.accounts.add("dora@abh.example", "abh-leipzig", (Role.DPO,), "Dora", PASSWORD)
    sign_in(browser, "dora@abh.example")
    page = browser.get("/dpo").text
    assert "Mögliche Dubletten" in page
    assert f"/dpo/cases/{held}" in page
    assert "zuvor geführt" in page


def test_the_job_centre_merges_its_case_once_the_person_agreed(
    api: Api, services: Services, browser: httpx.Client
) -> None:
    abh, jobcenter, held, new = a_pair(api, services)
    merge = {"type": "CaseMerged", "into_case_id": held, "reason": "the same man"}
    refused = body(api.post(jobcenter, new, **merge), 422)
    assert "whose person you may read" in refused["detail"]

    granted = api.grant(abh, held, "jobcenter-leipzig", ["case_management"], ["identity"])
    assert granted.status_code == 201, granted.text
    assert api.post(jobcenter, new, **merge).status_code == 201
    assert api.get(jobcenter, f"/v1/cases/{new}")["merged_into"] == held
    assert api.get(jobcenter, f"/v1/cases/{held}")["person"]["family_name"] == "Al-Hassan"

    sign_in(browser, account(services, "jobcenter-leipzig", "jonas@jc.example"))
    page = browser.get(f"/cases/{new}").text
    assert "Dieser Fall wurde mit einem anderen Fall derselben Person zusammengeführt" in page
    assert f'href="/cases/{held}"' in page
