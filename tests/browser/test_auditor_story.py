"""The auditor's story through the browser: the district's auditor finds the cases of
the municipality, draws a sample for a review, draws it again by its seed, and replays
a case to an earlier version, where she sees what that version changed."""

import re
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from coordination.domain.identity import Agency, AgencyKind, Role
from tests.browser.conftest import Served
from tests.browser.people import ABH_MK, MBE_MK, PASSWORD, browsers, referred_case, shot, staff

KREIS_MK = Agency("kreis-mayen-koblenz", "Kreisverwaltung Mayen-Koblenz", AgencyKind.OTHER,
                  "mayen-koblenz")  # fmt: skip
UTE = "ute.pruefer@kreis.example"


def auditor(served: Served) -> str:
    svc = served.services
    svc.directory.add_agency(KREIS_MK)
    svc.accounts.add(UTE, KREIS_MK.agency_id, (Role.AUDITOR,), "Ute Prüfer", PASSWORD)
    return UTE


def test_an_auditor_samples_the_cases_and_replays_one(
    served: Served, chromium: Browser, assert_accessible: Callable[[Page], None]
) -> None:
    anna = staff(served.services, ABH_MK, "anna.berger@abh.example", "Anna Berger")
    staff(served.services, MBE_MK, "mira.schmidt@mbe.example", "Mira Schmidt")
    cases = [referred_case(served.services, anna) for _ in range(5)]
    with browsers(chromium) as person:
        page = person()
        page.goto(served("/"))
        page.get_by_label("E-Mail").fill(auditor(served))
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()

        expect(page.get_by_role("heading", name="Fälle der Kommune")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("^Fall "))).to_have_count(5)
        assert_accessible(page)
        shot(page, "17-audit-register")

        page.get_by_label("Fälle in der Stichprobe").fill("2")
        page.get_by_role("button", name="Stichprobe ziehen").click()
        notice = page.get_by_text(re.compile(r"Stichprobe von 2 aus 5 Fällen, Startwert \d+"))
        expect(notice).to_be_visible()
        seed = re.search(r"Startwert (\d+)", notice.inner_text())
        assert seed is not None
        drawn = page.get_by_role("link", name=re.compile("^Fall ")).all_inner_texts()
        assert_accessible(page)
        shot(page, "18-audit-sample")

        # A second reviewer draws the same sample by its seed.
        page.get_by_label("Startwert").fill(seed[1])
        page.get_by_role("button", name="Stichprobe ziehen").click()
        expect(page.get_by_role("link", name=re.compile("^Fall "))).to_have_text(drawn)

        page.get_by_role("link", name=re.compile("^Fall ")).first.click()
        expect(page.get_by_text("Version 3 von 3")).to_be_visible()
        page.get_by_role("link", name="Vorige Version").click()
        expect(page.get_by_text("Version 2 von 3")).to_be_visible()
        changed = page.locator(
            "section", has=page.get_by_role("heading", name="Was Version 2 geändert hat")
        )
        expect(changed).to_contain_text("Einwilligungen / 1 / Empfangende Stellen")
        expect(page.locator("[aria-current=step]")).to_contain_text("2. Einwilligung erteilt")
        assert_accessible(page)
        shot(page, "19-audit-replay")
        assert page.url.split("/audit/cases/")[1].split("?")[0] in cases

        page.get_by_role("button", name="Hash-Kette dieses Falls prüfen").click()
        expect(page.get_by_text("Unversehrt: 3 Ereignisse geprüft")).to_be_visible()
        assert_accessible(page)
        shot(page, "20-audit-verified")
        page.go_back()

        # The authority's caseload the day before: the cases were opened today.
        page.get_by_role("link", name="Fallbestand zu einem Stichtag").click()
        page.get_by_label("Stelle", exact=True).select_option(ABH_MK.agency_id)
        yesterday = served.services.app.clock().date() - timedelta(days=1)
        page.get_by_label("Am Ende des").fill(yesterday.isoformat())
        page.get_by_role("button", name="Anzeigen").click()
        expect(page.get_by_text("Keine passenden Fälle.")).to_be_visible()
        assert_accessible(page)
        shot(page, "27-audit-caseload-as-it-stood")
        # The figures of the month as charts, each with its table.
        page.get_by_role("link", name="Statistik").click()
        expect(page.get_by_role("img", name="Eröffnete Fälle")).to_be_visible()
        expect(page.get_by_role("table", name="Eröffnete Fälle")).to_contain_text("weniger als 5")
        assert_accessible(page)
        shot(page, "28-audit-statistics")
        page.go_back()
        page.go_back()
        page.go_back()

        page.get_by_role("link", name="English").click()
        expect(page.get_by_text("Version 2 of 3")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Cases of the municipality").first.click()
        assert_accessible(page)
