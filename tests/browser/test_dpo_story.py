"""The data-protection officer's story through the browser: the district's DPO finds a
case from her overview, reads its consent trail and the disclosure report, downloads
the report's PDF, and erases the case after a confirmation that names what goes;
afterwards the case's pages show nothing of the person.

The deployment here asks no role for a second factor: setting one up is a story of
its own (test_keyboard_and_second_factor.py)."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from coordination.domain.identity import Agency, AgencyKind, Role
from coordination.settings import Settings
from tests.browser.conftest import Served
from tests.browser.people import (
    ABH_MK,
    MBE_MK,
    PASSWORD,
    browsers,
    referred_case,
    shot,
    sign_in,
    staff,
)
from tests.e2e.web import without_second_factor

KREIS_MK = Agency("kreis-mayen-koblenz", "Kreisverwaltung Mayen-Koblenz", AgencyKind.OTHER,
                  "mayen-koblenz")  # fmt: skip
DORA = "dora.datenschutz@kreis.example"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return without_second_factor(database_url)


def test_a_dpo_reads_the_trail_and_the_report_then_erases_the_case(
    served: Served, chromium: Browser, assert_accessible: Callable[[Page], None]
) -> None:
    svc = served.services
    anna = staff(svc, ABH_MK, "anna.berger@abh.example", "Anna Berger")
    staff(svc, MBE_MK, "mira.schmidt@mbe.example", "Mira Schmidt")
    case_id = referred_case(svc, anna)
    svc.directory.add_agency(KREIS_MK)
    svc.accounts.add(DORA, KREIS_MK.agency_id, (Role.DPO,), "Dora Datenschutz", PASSWORD)
    with browsers(chromium) as person:
        page = person()
        page.goto(served("/"))
        page.get_by_label("E-Mail").fill(DORA)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_role("heading", name="Datenschutz-Übersicht")).to_be_visible()
        assert_accessible(page)
        shot(page, "21-dpo-overview")

        page.get_by_label("Fallnummer").fill(case_id)
        page.get_by_role("button", name="Fall prüfen").click()
        expect(page.get_by_role("heading", name="Wer was jetzt sehen darf")).to_be_visible()
        expect(page.get_by_text("Einwilligung erteilt · consent-1")).to_be_visible()
        expect(page.get_by_text("Amina")).to_have_count(0)  # metadata only
        assert_accessible(page)
        shot(page, "22-dpo-consent-trail")

        page.get_by_role("link", name="Auskunft (Art. 15 DSGVO)").click()
        expect(page.get_by_role("heading", name="Weitergaben an andere Stellen")).to_be_visible()
        assert_accessible(page)
        shot(page, "23-dpo-disclosure-report")
        with page.expect_download() as download:
            page.get_by_role("link", name="PDF auf Deutsch", exact=True).click()
        pdf = PdfReader(Path(download.value.path()))
        text = "".join(p.extract_text() for p in pdf.pages)
        assert "Auskunft über die Weitergabe Ihrer Daten" in text
        assert "".join(MBE_MK.name.split()) in "".join(text.split())  # by name, not id
        expect(page.get_by_role("link", name="PDF auf Deutsch + العربية")).to_be_visible()

        # Who read the case: the access log, filtered to it.
        page.get_by_role("link", name="Zugriffsprotokoll").click()
        page.get_by_label("Fallnummer").fill(case_id)
        page.get_by_role("button", name="Filtern").click()
        expect(page.get_by_role("table")).to_contain_text("Abruf")
        assert_accessible(page)
        shot(page, "26-dpo-access-log")

        # The rule book: the transfers a statute permits without consent.
        page.get_by_role("link", name="Gesetzliche Übermittlungsregeln").click()
        expect(page.get_by_role("heading", name="Verlauf des Regelwerks")).to_be_visible()
        assert_accessible(page)
        shot(page, "29-statutory-rules")

        page.goto(served(f"/dpo/cases/{case_id}"))
        page.get_by_role("link", name="Löschen …").click()
        page.get_by_role("button", name="Weiter zur Bestätigung").click()
        expect(page.locator("#error-summary")).to_be_focused()  # reason and basis missing
        page.get_by_label("Begründung").fill("Antrag der Person auf Löschung vom 1. Dezember")
        page.get_by_label("Rechtsgrundlage").fill("Art. 17 Abs. 1 lit. b DSGVO")
        page.get_by_role("button", name="Weiter zur Bestätigung").click()
        warning = page.get_by_role("alert")
        expect(warning).to_contain_text("Das wird vernichtet")
        expect(warning).to_contain_text("Der ganze Fall")
        assert_accessible(page)
        shot(page, "24-dpo-erasure-confirmation")
        page.get_by_role("button", name="Endgültig löschen").click()
        expect(page.get_by_text(re.compile(r"Gelöscht: Fall"))).to_be_visible()
        assert_accessible(page)
        shot(page, "25-dpo-erased")

        page.get_by_role("link", name="Der Einwilligungsnachweis, mit der Löschung").click()
        expect(page.locator(".timeline")).to_contain_text("Gelöscht")  # the erasure, on the trail
        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("heading", name="Who may see what now")).to_be_visible()
        assert_accessible(page)

        caseworker = person()
        sign_in(caseworker, served.url, anna)
        caseworker.goto(served(f"/cases/{case_id}"))
        expect(caseworker.get_by_text("Amina")).to_have_count(0)
        expect(caseworker.get_by_text("Haddad")).to_have_count(0)
