"""The auditor's workspace over HTTP: the register with its filters and samples, a case
replayed version by version, and the pages kept to the auditor's role and municipality."""

import re
import time

import httpx

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api
from tests.e2e.web import PASSWORD, account, hidden, sign_in
from tests.support import FakeClock, add_agency

ABH, AUDIT = "abh-mk", "kreis-mk"
LISTED = re.compile(r'href="/audit/cases/([0-9a-f-]{36})"')
AS_IT_STOOD = re.compile(r'href="/audit/cases/([0-9a-f-]{36})\?day=')


def auditor(services: Services, browser: httpx.Client) -> None:
    add_agency(services, AUDIT, municipality="mayen-koblenz", role=Role.AUDITOR)
    services.accounts.add("ute@kreis.example", AUDIT, (Role.AUDITOR,), "Ute Prüfer", PASSWORD)
    signed_in = sign_in(browser, "ute@kreis.example")
    assert signed_in.headers["location"] == "/audit/cases"


def listed(browser: httpx.Client, url: str, count: int) -> str:
    """The page once the register, a projection, lists `count` cases."""
    deadline = time.monotonic() + 10
    while len(LISTED.findall(page := browser.get(url).text)) < count:
        assert time.monotonic() < deadline, page
        time.sleep(0.05)
    return page


def test_an_auditor_samples_cases_and_replays_one(
    api: Api, browser: httpx.Client, services: Services, clock: FakeClock
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    opened = [api.open_case(ABH) for _ in range(4) if clock.advance(minutes=1)]
    api.post(ABH, opened[0], type="QualificationRecorded", title="Pflegefachkraft", country="SY")
    api.post(ABH, opened[0], type="CaseClosed", reason="moved away")
    auditor(services, browser)

    closed = listed(browser, "/audit/cases?status=closed", 1)
    assert LISTED.findall(closed) == [opened[0]]
    register = listed(browser, "/audit/cases", 4)
    assert LISTED.findall(register) == opened
    sample = browser.get("/audit/cases", params={"sample": "2"}).text
    seed = re.search(r"Startwert (\d+)", sample)
    assert seed, sample
    again = browser.get("/audit/cases", params={"sample": "2", "seed": seed[1]}).text
    assert LISTED.findall(again) == LISTED.findall(sample)

    latest = browser.get(f"/audit/cases/{opened[0]}")
    assert latest.status_code == 200
    assert "Version 3 von 3" in latest.text
    second = browser.get(f"/audit/cases/{opened[0]}", params={"version": "2"}).text
    assert "Version 2 von 3" in second
    assert "Pflegefachkraft" in second  # what version 2 added, shown as a change
    assert 'aria-current="step"' in second
    first_day = browser.get(f"/audit/cases/{opened[0]}", params={"day": "2026-09-01"}).text
    assert "Version 3 von 3" in first_day  # all three were recorded on 1 September


def test_an_auditor_verifies_and_downloads_what_checks_offline(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    case_id = api.open_case(ABH)
    auditor(services, browser)
    csrf = hidden(browser.get(f"/audit/cases/{case_id}").text)["csrf_token"]

    verified = browser.post("/audit/verify", data={"csrf_token": csrf, "case_id": case_id})
    assert "Unversehrt: 1 Ereignisse geprüft" in verified.text
    whole = browser.post("/audit/verify", data={"csrf_token": csrf})
    assert "Geprüft: der ganze Bestand." in whole.text
    assert browser.post("/audit/verify", data={"case_id": case_id}).status_code == 403

    checkpoint = browser.get("/audit/checkpoint")
    assert checkpoint.headers["content-disposition"].startswith("attachment;")
    assert "signature" in checkpoint.json()
    bundle = browser.get(f"/audit/cases/{case_id}/bundle")
    assert bundle.json()["case_id"] == case_id
    assert "Haddad" not in bundle.text  # no decrypted data in the bundle


def test_bad_filters_come_back_with_an_error_summary(
    browser: httpx.Client, services: Services
) -> None:
    auditor(services, browser)
    answer = browser.get("/audit/cases", params={"opened_from": "someday", "sample": "0"})
    assert answer.status_code == 400
    assert 'id="error-summary"' in answer.text
    assert "Geben Sie einen Tag als JJJJ-MM-TT ein." in answer.text
    assert browser.get("/audit/cases/not-a-case").status_code == 404


def test_the_workspace_is_kept_to_auditors_of_the_municipality(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency("abh-leipzig", municipality="leipzig")
    elsewhere = api.open_case("abh-leipzig", municipality="leipzig")
    auditor(services, browser)
    assert browser.get(f"/audit/cases/{elsewhere}").status_code == 404
    assert browser.get("/worklist").status_code == 403

    with httpx.Client(base_url=str(browser.base_url), timeout=30) as caseworker:
        sign_in(caseworker, account(services, ABH, "anna@abh.example"))
        assert caseworker.get("/audit/cases").status_code == 403
        assert caseworker.get(f"/audit/cases/{elsewhere}").status_code == 403


def test_an_auditor_sees_an_agencys_caseload_as_it_stood_on_a_day(
    api: Api, browser: httpx.Client, services: Services, clock: FakeClock
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    first = api.open_case(ABH)  # 1 September
    clock.advance(days=2)
    api.open_case(ABH)  # 3 September: not in the caseload of 1 September
    clock.advance(days=5)
    auditor(services, browser)

    then = browser.get("/audit/caseload", params={"agency": ABH, "day": "2026-09-01"})
    assert AS_IT_STOOD.findall(then.text) == [first]
    later = browser.get("/audit/caseload", params={"agency": ABH, "day": "2026-09-03"})
    assert len(AS_IT_STOOD.findall(later.text)) == 2
    future = browser.get("/audit/caseload", params={"agency": ABH, "day": "2026-12-31"})
    assert future.status_code == 400
    assert "Wählen Sie einen Tag vor heute." in future.text
    elsewhere = browser.get(
        "/audit/caseload", params={"agency": "abh-leipzig", "day": "2026-09-01"}
    )
    assert elsewhere.status_code == 400


def test_an_auditor_reads_the_statistics_as_charts_with_their_tables(
    api: Api, browser: httpx.Client, services: Services, clock: FakeClock
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    for _ in range(5):
        api.open_case(ABH)
    case_id = api.open_case(ABH)
    api.agency("mbe-mk")
    api.grant(ABH, case_id, "mbe-mk", ["counselling"], ["identity"])  # one person: suppressed
    auditor(services, browser)

    september = {"from": "2026-09", "to": "2026-09"}
    six = '<td class="kern-table__cell kern-table__cell--numeric">6</td>'
    deadline = time.monotonic() + 10
    while six not in (page := browser.get("/audit/statistics", params=september).text):
        assert time.monotonic() < deadline, page
        time.sleep(0.1)
    assert '<svg viewBox="0 0 640 220" role="img"' in page
    assert "Eröffnete Fälle" in page
    assert "weniger als 5" in page  # the one consent, as the API suppresses it
    exported = browser.get("/audit/statistics", params=september | {"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert "mayen-koblenz,2026-09,cases_opened,,people,6,false" in exported.text
    wrong = browser.get("/audit/statistics", params={"from": "September"})
    assert wrong.status_code == 400
    assert "Geben Sie einen Monat als JJJJ-MM ein." in wrong.text


def test_a_replay_compares_any_two_versions(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    case_id = api.open_case(ABH)
    api.post(ABH, case_id, type="QualificationRecorded", title="Pflegefachkraft", country="SY")
    api.post(ABH, case_id, type="QualificationRecorded", title="Elektriker", country="SY")
    auditor(services, browser)

    step = browser.get(f"/audit/cases/{case_id}", params={"version": "3"}).text
    assert "Elektriker" in step.split('id="changes-h"')[1].split("</table>")[0]
    assert "Pflegefachkraft" not in step.split('id="changes-h"')[1].split("</table>")[0]
    both = browser.get(f"/audit/cases/{case_id}", params={"version": "3", "against": "1"}).text
    changes = both.split('id="changes-h"')[1].split("</table>")[0]
    assert "Was sich von Version 1 bis 3 geändert hat" in changes
    assert "Pflegefachkraft" in changes
    assert "Elektriker" in changes


def test_a_long_case_is_replayed_a_stretch_of_its_timeline_at_a_time(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    case_id = api.open_case(ABH)
    for n in range(54):
        api.post(ABH, case_id, type="QualificationRecorded", title=f"Kurs {n}", country="SY")
    auditor(services, browser)

    first = browser.get(f"/audit/cases/{case_id}", params={"version": "1"}).text
    assert "Versionen 1 bis 50 von 55" in first
    assert "Spätere Ereignisse" in first
    assert "Frühere Ereignisse" not in first
    last = browser.get(f"/audit/cases/{case_id}").text
    assert "Versionen 6 bis 55 von 55" in last
    assert 'href="?version=5">Frühere Ereignisse' in last
