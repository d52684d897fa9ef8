"""The layout mirrors for a right-to-left language: the pages set `dir` from the
language, and the app's own layout uses logical properties, so a catalogue of Arabic,
Persian or Pashto needs no change of the templates or the styles."""

from collections.abc import Callable

from playwright.sync_api import Browser, FloatRect, Page

from tests.browser.conftest import Served
from tests.browser.people import ABH_MK, browsers, shot, sign_in, staff

PARTS = (".app-header__name", ".app-main h1", ".app-filters label")


def box(page: Page, selector: str) -> FloatRect:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_worklist_mirrors_when_written_right_to_left(
    served: Served, chromium: Browser, assert_accessible: Callable[[Page], None]
) -> None:
    anna = staff(served.services, ABH_MK, "anna.berger@abh.example", "Anna Berger")
    with browsers(chromium) as person:
        page = person()
        sign_in(page, served.url, anna)
        before = {part: box(page, part) for part in PARTS}

        # As a page in a right-to-left language is served: `dir` on the root element.
        page.evaluate("document.documentElement.dir = 'rtl'")

        after = {part: box(page, part) for part in PARTS}
        middle = (page.viewport_size or {"width": 1280})["width"] / 2
        for part in PARTS:  # on the left-hand half before, on the right-hand half now
            assert before[part]["x"] + before[part]["width"] < middle, part
            assert after[part]["x"] > middle, part
        name, nav = after[".app-header__name"], box(page, ".app-nav")
        assert nav["x"] + nav["width"] < name["x"]  # the navigation follows the name leftwards
        assert fits(page)  # nothing pushed out of the screen
        assert_accessible(page)
        shot(page, "16-worklist-right-to-left")
