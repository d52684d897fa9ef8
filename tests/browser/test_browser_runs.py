"""The browser fixtures work: Chromium reaches the served app, and axe can fail a page."""

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Served
from tests.support import add_agency


def test_chromium_reads_the_served_app_and_its_services(served: Served, page: Page) -> None:
    response = page.goto(served("/healthz"))
    assert response is not None
    assert response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert json.loads(page.locator("body").inner_text()) == {"status": "ok"}

    # The services the app built are the test's way in: a token issued through them is
    # the one the app accepts from the browser.
    token = add_agency(served.services, "jobcenter")
    page.context.set_extra_http_headers({"Authorization": f"Bearer {token}"})
    response = page.goto(served("/v1/caseload"))
    assert response is not None
    assert response.status == 200, response.text()
    assert json.loads(page.locator("body").inner_text()) == {"items": [], "next_cursor": None}

    page.goto(served("/metrics"))
    head = served.services.app.recorder.max_notification_id()
    assert f"coordination_event_store_position {head}\n" in page.locator("pre").inner_text()


def test_the_accessibility_check_fails_a_page_with_serious_violations(
    served: Served, page: Page, assert_accessible: Callable[[Page], None]
) -> None:
    # On the app's origin, the document keeps the app's content security policy (no
    # inline script runs); axe is injected through the DevTools protocol all the same.
    page.goto(served("/healthz"))
    page.set_content("<html><body><img src='x.png'><input></body></html>")
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page)
    report = str(failed.value)
    assert "- image-alt [critical]" in report
    assert "- label [critical]" in report
    assert "img" in report

    page.set_content(
        "<html lang='de'><head><title>Fall</title></head><body><main><h1>Fall</h1>"
        "<img src='x.png' alt='Logo'><label>Name <input></label></main></body></html>"
    )
    assert_accessible(page)
