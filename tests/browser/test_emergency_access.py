"""Emergency access through the browser: asked for in a dialog with its reason, shown
with the time it lasts and as the basis of what it opens, ended by a button."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Served
from tests.browser.people import ABH_MK, MBE_MK, browsers, referred_case, shot, sign_in, staff

MIRA = "mira.schmidt@mbe.example"


@pytest.fixture
def case_id(served: Served) -> str:
    """A case the authority referred to the counselling service, whose caseworker Mira
    has an account."""
    anna = staff(served.services, ABH_MK, "anna.berger@abh.example", "Anna Berger")
    staff(served.services, MBE_MK, MIRA, "Mira Schmidt")
    return referred_case(served.services, anna)


def test_an_emergency_access_opens_what_is_withheld_for_a_while(
    served: Served, chromium: Browser, case_id: str,
    assert_accessible: Callable[[Page], None],
) -> None:  # fmt: skip
    with browsers(chromium) as person:
        page = person()
        sign_in(page, served.url, MIRA)
        page.goto(served(f"/cases/{case_id}"))
        expect(page.locator("#withheld")).to_contain_text("Aufenthalt")

        page.get_by_role("link", name="Notfallzugriff anfordern").click()
        dialog = page.get_by_role("dialog", name="Notfallzugriff anfordern")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("für 24 Stunden")
        assert_accessible(page)
        shot(page, "13-emergency-access-dialog")
        dialog.get_by_label("Begründung").fill(
            "collapsed in the office; the emergency doctor asks for next of kin"
        )
        dialog.get_by_role("button", name="Notfallzugriff öffnen").click()

        expect(page.get_by_text("Erfasst: Notfallzugriff geöffnet")).to_be_visible()
        expect(page.get_by_text("Notfallzugriff geöffnet bis")).to_be_visible()
        expect(page.get_by_text("aufenthaltserlaubnis")).to_be_visible()
        expect(page.get_by_text("Aufenthalt (Notfallzugriff")).to_be_visible()
        assert_accessible(page)
        shot(page, "14-emergency-access-open")

        page.get_by_role("button", name="Notfallzugriff beenden").click()
        expect(page.get_by_text("Erfasst: Notfallzugriff beendet")).to_be_visible()
        expect(page.get_by_text("aufenthaltserlaubnis")).to_have_count(0)


def test_without_script_the_request_is_a_page_of_its_own(
    served: Served, chromium: Browser, case_id: str,
    assert_accessible: Callable[[Page], None],
) -> None:  # fmt: skip
    with browsers(chromium) as person:
        page = person()
        sign_in(page, served.url, MIRA)
        page.goto(served(f"/cases/{case_id}"))
        # Where no script opens the dialog, the link leads to the form on a page.
        link = page.get_by_role("link", name="Notfallzugriff anfordern")
        expect(link).to_have_attribute("href", f"/cases/{case_id}/emergency")
        page.goto(served(f"/cases/{case_id}/emergency"))
        expect(page.get_by_role("heading", name="Notfallzugriff anfordern")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Begründung").fill("the emergency doctor asks for next of kin")
        page.get_by_role("button", name="Notfallzugriff öffnen").click()
        expect(page.get_by_text("Erfasst: Notfallzugriff geöffnet")).to_be_visible()
