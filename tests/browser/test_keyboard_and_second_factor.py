"""The main path with the keyboard alone, the error summary, and a second factor."""

import re
from collections.abc import Callable

import pyotp
from playwright.sync_api import Browser, Page, expect

from coordination.domain.identity import Role
from tests.browser.conftest import Served
from tests.browser.people import ABH_MK, PASSWORD, browsers, shot, staff, tab_to
from tests.support import FakeClock


def test_a_caseworker_opens_a_case_with_the_keyboard_alone(
    served: Served, chromium: Browser, assert_accessible: Callable[[Page], None]
) -> None:
    anna = staff(served.services, ABH_MK, "anna.berger@abh.example", "Anna Berger")
    with browsers(chromium) as person:
        page = person()
        page.goto(served("/"))
        tab_to(page, page.get_by_label("E-Mail"))
        page.keyboard.type(anna)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Arbeitsliste")).to_be_visible()

        tab_to(page, page.get_by_role("navigation").get_by_role("link", name="Fall eröffnen"))
        page.keyboard.press("Enter")
        tab_to(page, page.get_by_label("Vorname"))
        page.keyboard.type("Amina")
        # The family name is left out: the form comes back with an error summary, and
        # the focus is on it, so a screen reader reads it first.
        tab_to(page, page.get_by_role("button", name="Fall eröffnen"))
        page.keyboard.press("Enter")
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Familienname: Bitte füllen Sie dieses Feld aus.")
        expect(page.get_by_label("Vorname")).to_have_value("Amina")
        assert_accessible(page)
        shot(page, "11-error-summary")

        tab_to(page, summary.get_by_role("link", name=re.compile("Familienname")))
        page.keyboard.press("Enter")
        expect(page.get_by_label("Familienname")).to_be_focused()
        page.keyboard.type("Haddad")
        tab_to(page, page.get_by_role("button", name="Fall eröffnen"))
        page.keyboard.press("Enter")
        expect(page.get_by_text("Erfasst: Fall eröffnet")).to_be_visible()

        consent = page.locator("#form-ConsentGranted")
        tab_to(page, consent.locator("summary"))
        page.keyboard.press("Enter")
        expect(consent).to_have_attribute("open", "")
        tab_to(page, consent.get_by_label("Identität"))
        page.keyboard.press("Space")
        expect(consent.get_by_label("Identität")).to_be_checked()


def test_a_dpo_sets_up_a_second_factor_at_the_first_sign_in(
    served: Served, chromium: Browser, clock: FakeClock,
    assert_accessible: Callable[[Page], None],
) -> None:  # fmt: skip
    svc = served.services
    svc.directory.add_agency(ABH_MK)
    svc.accounts.add("dana@abh.example", ABH_MK.agency_id, (Role.DPO,), "Dana Roth", PASSWORD)
    with browsers(chromium) as person:
        page = person()
        page.goto(served("/"))
        page.get_by_label("E-Mail").fill("dana@abh.example")
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_role("heading", name="Zweiten Faktor einrichten")).to_be_visible()
        expect(page.get_by_role("img", name="QR-Code für die Authenticator-App")).to_be_visible()
        assert_accessible(page)
        shot(page, "12-second-factor-setup")
        secret = page.locator(".second-factor__key").inner_text()
        page.get_by_label("Code").fill(pyotp.TOTP(secret).at(clock.now))
        page.get_by_role("button", name="Bestätigen").click()
        expect(page.get_by_role("heading", name="Datenschutz-Übersicht")).to_be_visible()
        assert_accessible(page)


def test_the_case_page_works_on_a_tablet(
    served: Served, chromium: Browser, assert_accessible: Callable[[Page], None]
) -> None:
    anna = staff(served.services, ABH_MK, "anna.berger@abh.example", "Anna Berger")
    context = chromium.new_context(locale="de-DE", viewport={"width": 820, "height": 1180},
                                   has_touch=True)  # fmt: skip
    try:
        page = context.new_page()
        page.goto(served("/"))
        page.get_by_label("E-Mail").fill(anna)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_role("link", name="Fall eröffnen").first.click()
        page.get_by_label("Vorname").fill("Amina")
        page.get_by_label("Familienname").fill("Haddad")
        page.get_by_role("button", name="Fall eröffnen").click()
        expect(page.get_by_text("Erfasst: Fall eröffnet")).to_be_visible()
        # Nothing is wider than the screen: no sideways scrolling on a tablet.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 820
        assert_accessible(page)
        shot(page, "15-case-on-a-tablet")
    finally:
        context.close()
