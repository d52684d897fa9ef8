"""The DPO's workspace over HTTP: the overview with its alerts, a case's consent trail,
the disclosure report with its PDFs, and the consent receipts; kept to DPOs, and to
the cases their controller has a part in."""

import io
import json

import httpx
import pytest
from pypdf import PdfReader

from coordination.bootstrap import Services
from coordination.domain.identity import AgencyKind, Role
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.e2e.web import PASSWORD, account, hidden, sign_in, without_second_factor
from tests.support import add_agency

ABH, MBE, DISTRICT = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "kreis-mayen-koblenz"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A deployment that asks no role for a second factor (tested elsewhere)."""
    return without_second_factor(database_url)


def dpo(services: Services, browser: httpx.Client) -> None:
    """The district's data-protection officer."""
    add_agency(services, DISTRICT, municipality="mayen-koblenz", role=Role.DPO)
    services.accounts.add("dora@kreis.example", DISTRICT, (Role.DPO,), "Dora Datenschutz",
                          PASSWORD)  # fmt: skip
    assert sign_in(browser, "dora@kreis.example").headers["location"] == "/dpo"


def consented_case(api: Api) -> tuple[str, str]:
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    case_id = api.open_case(ABH)
    granted = api.grant(ABH, case_id, MBE, ["counselling"], ["identity", "contact"],
                        valid_until="2026-09-20")  # fmt: skip
    consent_id: str = granted.json()["event"]["data"]["consent_id"]
    api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
             categories=["identity", "contact"])  # fmt: skip
    api.as_(MBE, "GET", f"/v1/cases/{case_id}")
    return case_id, consent_id


def test_a_dpo_reads_the_trail_report_and_receipts_of_a_case(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    case_id, consent_id = consented_case(api)
    dpo(services, browser)

    overview = browser.get("/dpo").text
    assert "Einwilligungen, die in den nächsten 30 Tagen ablaufen" in overview
    assert f'href="/dpo/cases/{case_id}"' in overview  # the expiring consent's case
    found = browser.get("/dpo/case", params={"case_id": f" {case_id} "})
    assert found.headers["location"] == f"/dpo/cases/{case_id}"

    trail = browser.get(f"/dpo/cases/{case_id}").text
    assert "Wer was jetzt sehen darf" in trail
    assert consent_id in trail
    assert "Weitergabe" in trail
    assert "Abruf" in trail
    assert "Haddad" not in trail  # metadata only

    report = browser.get(f"/dpo/cases/{case_id}/report")
    assert "Weitergaben an andere Stellen" in report.text
    pdf = browser.get(f"/dpo/cases/{case_id}/report.pdf", params={"lang": "en"})
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Information on the disclosure of your data" in text

    dpv = browser.get(f"/dpo/cases/{case_id}/consents/{consent_id}/receipt")
    assert dpv.headers["content-type"].startswith("application/ld+json")
    assert consent_id in json.dumps(dpv.json())
    fhir = browser.get(f"/dpo/cases/{case_id}/consents/{consent_id}/receipt",
                       params={"format": "fhir"})  # fmt: skip
    assert fhir.json()["resourceType"] == "Consent"


def test_mistakes_and_strangers_get_clear_answers(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    case_id, _ = consented_case(api)
    api.agency("abh-leipzig", municipality="leipzig")
    elsewhere = api.open_case("abh-leipzig", municipality="leipzig")
    dpo(services, browser)

    typo = browser.get("/dpo/case", params={"case_id": "3f2b"})
    assert typo.status_code == 400
    assert 'id="error-summary"' in typo.text
    for path in (f"/dpo/cases/{elsewhere}", f"/dpo/cases/{elsewhere}/report",
                 f"/dpo/cases/{elsewhere}/report.pdf", "/dpo/cases/nonsense",
                 f"/dpo/cases/{case_id}/consents/no-such/receipt"):  # fmt: skip
        assert browser.get(path).status_code == 404, path

    with httpx.Client(base_url=str(browser.base_url), timeout=30) as caseworker:
        sign_in(caseworker, account(services, ABH, "anna@abh.example"))
        for path in ("/dpo", f"/dpo/cases/{case_id}", f"/dpo/cases/{case_id}/report.pdf"):
            assert caseworker.get(path).status_code == 403, path


def test_an_erasure_asks_for_its_reasons_then_a_confirmation_then_erases(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    case_id, _ = consented_case(api)
    dpo(services, browser)
    form = browser.get(f"/dpo/cases/{case_id}/erasure")
    assert "Der ganze Fall" in form.text
    csrf = hidden(form.text)["csrf_token"]
    head = services.app.recorder.max_notification_id()

    empty = browser.post(f"/dpo/cases/{case_id}/erasure", data={"csrf_token": csrf})
    assert empty.status_code == 400
    assert 'id="error-summary"' in empty.text
    asked = {"csrf_token": csrf, "reason": "request of the person", "legal_basis": "Art. 17 DSGVO"}
    confirm = browser.post(f"/dpo/cases/{case_id}/erasure", data=asked)
    assert "Das wird vernichtet" in confirm.text
    assert services.app.recorder.max_notification_id() == head  # nothing erased yet

    erased = browser.post(f"/dpo/cases/{case_id}/erasure", data=asked | {"confirmed": "yes"})
    assert "Gelöscht: Fall" in erased.text
    after = api.get(ABH, f"/v1/cases/{case_id}")
    assert after["erased"] is True
    assert not after.get("person")
    again = browser.post(f"/dpo/cases/{case_id}/erasure", data=asked | {"confirmed": "yes"})
    assert "Er war schon gelöscht" in again.text


def test_a_dpo_searches_the_access_log_and_exports_it(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    case_id, _ = consented_case(api)
    api.agency("abh-leipzig", municipality="leipzig")
    api.as_("abh-leipzig", "GET", f"/v1/cases/{case_id}")  # another controller's refusal
    dpo(services, browser)

    everything = browser.get("/dpo/access-log").text
    assert f'href="/dpo/cases/{case_id}"' in everything
    assert "abh-leipzig" not in everything  # not an agency of this controller
    reads = browser.get("/dpo/access-log", params={"action": "read", "agency": MBE}).text
    assert "Migrationsberatung" in reads or MBE in reads
    assert "Verweigert" not in reads.split("<tbody")[1]
    exported = browser.get("/dpo/access-log.csv", params={"case_id": case_id})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = exported.text.splitlines()
    assert rows[0].startswith("at,agency,user,role")
    assert all(case_id in row for row in rows[1:])
    assert len(rows) > 2

    wrong = browser.get("/dpo/access-log", params={"agency": "abh-leipzig", "since": "soon"})
    assert wrong.status_code == 400
    assert 'id="error-summary"' in wrong.text
    log = services.access_log.for_case(case_id)
    assert any(e.reason == "access-log" and e.role == "dpo" for e in log)


def test_the_overview_alerts_to_a_recipient_widening_its_own_access(
    api: Api, browser: httpx.Client, services: Services
) -> None:
    case_id, _ = consented_case(api)
    widened = api.grant(MBE, case_id, MBE, ["counselling"], ["residence"])
    assert widened.status_code == 403  # the consent gate refuses, and logs it
    dpo(services, browser)

    overview = browser.get("/dpo").text
    section = overview.split('id="widening-h"')[1].split("</section>")[0]
    assert "Mbe-Diakonie-Mayen-Koblenz" in section  # the directory's name of the agency
    assert '<td class="kern-table__cell kern-table__cell--numeric">1</td>' in section
