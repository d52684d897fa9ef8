"""The consent form prints the declaration the person signs, in German and in the first
of her languages the papers print in, with the agencies as the directory lists them;
printing records nothing."""

import io

import httpx
import pytest
from pypdf import PdfReader

from coordination.adapters.store.directory import Listing
from coordination.bootstrap import Services
from coordination.domain.identity import Agency, AgencyKind
from tests.e2e.web import account, hidden, open_case, sign_in
from tests.support import add_agency


def consent_form(case_page: str) -> dict[str, str | list[str]]:
    return {
        **hidden(case_page), "recipients": "mbe-mk", "purposes": ["counselling"],
        "categories": ["identity", "contact"], "given_on": "2026-12-01",
        "valid_until": "2027-11-30", "evidence.method": "written",
        "evidence.document_ref": "EV-2026-301",
    }  # fmt: skip


def pages_of(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment;")
    return [p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages]


def test_the_caseworker_prints_the_declaration_before_recording_the_consent(
    browser: httpx.Client, services: Services
) -> None:
    services.directory.add_agency(
        Agency("mbe-mk", "Migrationsberatung Diakonie Mayen-Koblenz",
               AgencyKind.MIGRATIONSBERATUNG, "mayen-koblenz"),
        Listing((), "beratung@mbe-mk.example", "+49 261 0000-3160"),
    )  # fmt: skip
    sign_in(browser, account(services, "abh-mk", "anna@abh.example"))
    opened = open_case(browser, given_name="Amina", family_name="Haddad",
                       date_of_birth="1994-03-02", languages="ar, en")  # fmt: skip
    case = opened.headers["location"].split("?")[0]
    head = services.app.recorder.max_notification_id()

    pages = pages_of(browser.post(f"{case}/consent-paper", data=consent_form(
        browser.get(case).text)))  # fmt: skip

    # The foot of each page counts pages in the version's language.
    german = "\n".join(p for p in pages if "Seite" in p)
    arabic = "\n".join(p for p in pages if "Seite" not in p)
    assert "Einwilligung in die Weitergabe von Daten" in german
    assert "Amina Haddad" in german
    assert "02.03.1994" in german
    assert "Migrationsberatung Diakonie Mayen-Koblenz" in german
    assert "E-Mail: beratung@mbe-mk.example · Telefon: +49 261 0000-3160" in german
    assert "mbe-mk" not in german.replace("@mbe-mk.example", "")
    assert "EV-2026-301" in german
    assert "jederzeit widerrufen" in german
    assert "الموافقة على نقل البيانات" in arabic  # her first language, before English
    assert "Migrationsberatung Diakonie Mayen-Koblenz" in arabic
    assert "Consent to the disclosure" not in "".join(pages)
    assert services.app.recorder.max_notification_id() == head  # nothing recorded


@pytest.fixture
def koval(browser: httpx.Client, services: Services) -> str:
    """The page of a case the authority's caseworker opened for a person whose languages
    are not recorded, with the counselling service in the directory."""
    add_agency(services, "mbe-mk", municipality="mayen-koblenz")
    sign_in(browser, account(services, "abh-mk", "anna@abh.example"))
    opened = open_case(browser, given_name="Oleh", family_name="Koval")
    return str(opened.headers["location"]).split("?")[0]


def test_a_person_without_a_language_of_the_papers_gets_the_german_declaration_only(
    browser: httpx.Client, koval: str
) -> None:
    case = koval
    pages = pages_of(browser.post(f"{case}/consent-paper", data=consent_form(
        browser.get(case).text)))  # fmt: skip

    assert all("Consent to the disclosure" not in p for p in pages)
    assert "Oleh Koval" in pages[0]


def test_a_form_with_mistakes_prints_nothing_and_says_what_is_wrong(
    browser: httpx.Client, koval: str
) -> None:
    case = koval
    form = consent_form(browser.get(case).text) | {"given_on": "not a day", "purposes": []}

    answer = browser.post(f"{case}/consent-paper", data=form)

    assert answer.status_code == 400
    assert "text/html" in answer.headers["content-type"]
    assert 'id="error-summary"' in answer.text
    without_token = {k: v for k, v in consent_form(browser.get(case).text).items()
                     if k != "csrf_token"}  # fmt: skip
    assert browser.post(f"{case}/consent-paper", data=without_token).status_code == 403
