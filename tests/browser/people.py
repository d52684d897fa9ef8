"""People of the browser stories: their agencies, accounts and how they sign in."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from coordination.bootstrap import Services
from coordination.contract.requests import EVENT_BODIES, OpenCase
from coordination.domain.identity import Agency, AgencyKind, Role

PASSWORD = "a long enough demo passphrase"
ABH_MK = Agency("abh-mayen-koblenz", "Ausländerbehörde Mayen-Koblenz",
                AgencyKind.AUSLAENDERBEHOERDE, "mayen-koblenz")  # fmt: skip
MBE_MK = Agency("mbe-diakonie-mayen-koblenz", "Migrationsberatung Diakonie Mayen-Koblenz",
                AgencyKind.MIGRATIONSBERATUNG, "mayen-koblenz")  # fmt: skip


def staff(svc: Services, agency: Agency, email: str, name: str) -> str:
    """The agency (if new) and a caseworker's account in it; the account's e-mail."""
    if svc.directory.get_agency(agency.agency_id) is None:
        svc.directory.add_agency(agency)
    svc.accounts.add(email, agency.agency_id, (Role.CASEWORKER,), name, PASSWORD)
    return email


def sign_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(url + "/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Arbeitsliste")).to_be_visible()


@contextmanager
def browsers(chromium: Browser) -> Iterator[Callable[[], Page]]:
    """A fresh browser context per person (their own cookies), closed afterwards."""
    contexts = []

    def person() -> Page:
        context = chromium.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield person
    finally:
        for context in contexts:
            context.close()


def shot(page: Page, name: str) -> None:
    """Keeps a screenshot of the screen for docs/ui when `make screenshots` asks for it."""
    folder = os.environ.get("COORDINATION_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def tab_to(page: Page, target: Locator, presses: int = 120) -> None:
    """Moves the focus with the Tab key alone until it is on `target`."""
    for _ in range(presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the keyboard never reached {target}")


def referred_case(svc: Services, authority_email: str) -> str:
    """A case the authority opened and referred to the counselling service, with a
    consent for identity and contact (not residence)."""
    caller = svc.accounts.sign_in(authority_email, PASSWORD, "test").caller("setup")
    person = {"given_name": "Amina", "family_name": "Haddad", "date_of_birth": "1994-03-02"}
    fields = {"person": person, "municipality": "mayen-koblenz",
              "residence_status": "aufenthaltserlaubnis"}  # fmt: skip
    opened = OpenCase.model_validate(fields)
    case_id = svc.cases.open_case(caller, opened.model_dump(), None).case_id
    for kind, body in (
        ("ConsentGranted", {"recipients": [MBE_MK.agency_id], "purposes": ["counselling"],
                            "categories": ["identity", "contact"], "given_on": "2026-12-01",
                            "evidence": {"method": "written"}}),
        ("ReferralSent", {"to_agency": MBE_MK.agency_id, "purpose": "counselling",
                          "categories": ["identity", "contact"]}),
    ):  # fmt: skip
        fields = EVENT_BODIES[kind].model_validate({"type": kind, **body}).model_dump()
        fields.pop("type")
        svc.cases.record_event(caller, case_id, kind, fields, None, None)
    return str(case_id)
