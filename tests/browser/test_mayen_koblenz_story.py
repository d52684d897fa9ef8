"""The Mayen-Koblenz story, told through the browser.

The foreigners authority's caseworker opens a case, records the person's consent for the
migration service and refers her there. The migration service's caseworker sees the
referral arrive in her inbox without reloading, accepts it there, and sees identity and contact
but not residence. Once the consent is withdrawn, her next request shows the data gone.
Every screen passes axe (no serious or critical violation), in German and in English.
"""

import re
from collections.abc import Callable

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import Served
from tests.browser.people import ABH_MK, MBE_MK, browsers, shot, sign_in, staff


def test_a_referral_under_consent_through_the_browser(
    served: Served, chromium: Browser, assert_accessible: Callable[[Page], None]
) -> None:
    svc = served.services
    anna = staff(svc, ABH_MK, "anna.berger@abh.example", "Anna Berger")
    mira = staff(svc, MBE_MK, "mira.schmidt@mbe.example", "Mira Schmidt")
    with browsers(chromium) as person:
        authority, counselling = person(), person()

        authority.goto(served("/"))
        shot(authority, "01-sign-in")
        sign_in(authority, served.url, anna)
        assert_accessible(authority)
        open_case(authority)
        assert_accessible(authority)
        shot(authority, "04-case-opened")
        case_url = authority.url.split("?")[0]

        record(authority, "Einwilligung erteilt", lambda form: (
            form.get_by_role("group", name="Empfangende Stellen").get_by_label(
                "Migrationsberatung Diakonie Mayen-Koblenz").check(),
            form.get_by_role("group", name="Zwecke").get_by_label("Beratung").check(),
            form.get_by_label("Identität").check(),
            form.get_by_label("Kontakt").check(),
            form.get_by_label("Erteilt am").fill("2026-12-01"),
            form.get_by_label("Form").select_option("written"),
        ))  # fmt: skip

        sign_in(counselling, served.url, mira)
        counselling.get_by_role("link", name="Posteingang Weiterleitungen").click()
        expect(counselling.get_by_text("Es warten keine Weiterleitungen.")).to_be_visible()
        assert_accessible(counselling)
        shot(counselling, "05-inbox-empty")

        record(authority, "Weiterleitung", lambda form: (
            form.get_by_label("An Stelle").select_option(MBE_MK.agency_id),
            form.get_by_label("Zweck").select_option("counselling"),
            form.get_by_label("Identität").check(),
            form.get_by_label("Kontakt").check(),
        ))  # fmt: skip

        # The inbox asks for changes while it is open: the referral arrives unasked.
        arrived = counselling.get_by_role("link", name="Amina Haddad")
        expect(arrived).to_be_visible(timeout=20_000)
        assert_accessible(counselling)
        shot(counselling, "06-inbox-referral-arrived")
        # She answers it in the inbox, then opens the case.
        counselling.get_by_role("button", name="Annehmen").click()
        expect(counselling.get_by_text("Erfasst: Weiterleitung angenommen")).to_be_visible()
        counselling.get_by_role("link", name="Amina Haddad").click()
        expect(counselling.get_by_role("heading", name="Amina Haddad")).to_be_visible()
        expect(counselling.get_by_text("+49 2651 000000")).to_be_visible()
        withheld = counselling.locator("#withheld")
        expect(withheld).to_contain_text("Aufenthalt")
        expect(counselling.get_by_text("aufenthaltserlaubnis")).to_have_count(0)
        assert_accessible(counselling)
        shot(counselling, "07-case-seen-by-the-counselling-service")

        # She finds the person again by a misspelt name and her date of birth.
        counselling.get_by_role("link", name="Person finden").click()
        counselling.get_by_label("Vorname").fill("Amina")
        counselling.get_by_label("Familienname").fill("Hadad")
        counselling.get_by_label("Geburtsdatum").fill("1994-03-02")
        counselling.get_by_role("button", name="Suchen", exact=True).click()
        expect(counselling.get_by_role("link", name="Amina Haddad")).to_be_visible()
        assert_accessible(counselling)
        shot(counselling, "07b-find-a-person")

        # The authority's page still shows the case before the acceptance: the case
        # refuses a change against that version, and the page shows it as it is now.
        withdraw = form_of(authority, "Einwilligung widerrufen")
        withdraw.get_by_label("Kennung der Einwilligung").fill("consent-1")
        withdraw.get_by_role("button", name="Erfassen").click()
        expect(authority.get_by_text("Der Fall wurde inzwischen geändert")).to_be_visible()
        expect(authority.locator("#referrals-all")).to_contain_text("Angenommen")
        assert_accessible(authority)
        shot(authority, "08-case-changed-meanwhile")
        form_of(authority, "Einwilligung widerrufen", opened=True).get_by_role(
            "button", name="Erfassen"
        ).click()
        expect(authority.get_by_text("Erfasst: Einwilligung widerrufen")).to_be_visible()

        counselling.goto(case_url)
        expect(counselling.get_by_role("heading", name="Name zurückgehalten")).to_be_visible()
        expect(counselling.get_by_text("Amina")).to_have_count(0)
        expect(counselling.get_by_text("+49 2651 000000")).to_have_count(0)
        shot(counselling, "09-consent-withdrawn-data-gone")

        counselling.get_by_role("link", name="English").click()
        expect(counselling.get_by_role("heading", name="Name withheld")).to_be_visible()
        assert_accessible(counselling)
        counselling.get_by_role("link", name="Worklist").click()
        assert_accessible(counselling)
        shot(counselling, "10-worklist-in-english")


def open_case(page: Page) -> None:
    shot(page, "02-worklist")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Fall eröffnen"
    ).click()
    shot(page, "03-open-a-case")
    page.get_by_label("Vorname").fill("Amina")
    page.get_by_label("Familienname").fill("Haddad")
    page.get_by_label("Geburtsdatum").fill("1994-03-02")
    page.get_by_label("Staatsangehörigkeit").fill("SY")
    page.get_by_label("Sprachen").fill("ar, de")
    page.get_by_label("Telefon").fill("+49 2651 000000")
    page.get_by_label("Aufenthaltsstatus").fill("aufenthaltserlaubnis")
    page.get_by_role("button", name="Fall eröffnen").click()
    expect(page.get_by_text("Erfasst: Fall eröffnet")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/cases/[0-9a-f-]{36}"))


def form_of(page: Page, label: str, opened: bool = False) -> Locator:
    """The event type's form on the case page, opened."""
    section = page.locator("details.kern-accordion", has=page.get_by_text(label, exact=True))
    if not opened:
        section.locator("summary").click()
    return section.locator("form")


def record(page: Page, label: str, fill: Callable[..., object]) -> None:
    """Opens the event type's form on the case page, fills it, and records it."""
    form = form_of(page, label)
    fill(form)
    form.get_by_role("button", name="Erfassen").click()
    expect(page.get_by_text(f"Erfasst: {label}")).to_be_visible()
