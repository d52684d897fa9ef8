"""Browser fixtures: Debian's Chromium, driven by Playwright, against the served app.

Every test here is marked `browser` and runs on SQLite and PostgreSQL (the `settings`
fixture of tests/conftest.py). Playwright's sync API runs its event loop in the test's
thread, so a browser test cannot call `asyncio.run`; uvicorn serves the app in a thread
of its own (`ServedApp`), on a loop of its own.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from coordination.bootstrap import Services
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.support import FakeClock, ServedApp

CHROMIUM = "/usr/bin/chromium"
# --no-sandbox: the tests run as root. The rest keep the browser from reaching any other
# host (updates, sync, field trials) and from needing a GPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# What `assert_accessible` fails on; axe's "minor" and "moderate" findings are not.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `browser` (the hook is given every test of the run)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def require_chromium() -> None:
    """Fail (in CI) or skip (elsewhere) when Chromium is not installed, as with PostgreSQL."""
    if os.access(CHROMIUM, os.X_OK):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is required in CI and is not at {CHROMIUM} (.ci/run installs it)")
    pytest.skip(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per test module; each test gets a context of its own.

    Not one per session: while Playwright's sync API is started, its event loop counts as
    running in this thread (it marks it so after every call), and `asyncio.run` raises
    there. Stopped at the end of each browser module, it leaves the tests that follow
    (tests/e2e, tests/integration, tests/unit run `asyncio.run`) a thread without a loop.
    """
    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cookies, no storage), German, 1280x800."""
    context = chromium.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def clock() -> FakeClock:
    """The app's clock starts at the real time: a browser drops cookies whose expiry lies
    before its own clock, and tests/conftest.py's clock starts on a fixed past day."""
    return FakeClock(datetime.now(UTC))


@dataclass(frozen=True)
class Served:
    """The app under uvicorn: where it listens, and the app itself."""

    url: str
    app: FastAPI

    @property
    def services(self) -> Services:
        """The services the app built at start-up: seed data through these."""
        services: Services = self.app.state.services
        return services

    def __call__(self, path: str) -> str:
        """The absolute URL of `path` on the served app."""
        return self.url + path


@pytest.fixture
def served(settings: Settings, clock: FakeClock) -> Iterator[Served]:
    """The real app served by uvicorn on a free loopback port, on the test's store."""
    app = create_app(settings, clock)
    with ServedApp(app) as url:
        yield Served(url, app)


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical axe-core violation on the page."""
    violations = accessibility_violations(page)
    if not violations:
        return
    lines = [f"{len(violations)} serious or critical accessibility violations on {page.url}:"]
    for v in violations:
        targets = [", ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {'; '.join(targets)}{more}")
    raise AssertionError("\n".join(lines))


@pytest.fixture(name="assert_accessible")
def assert_accessible_fixture() -> Callable[[Page], None]:
    """`assert_accessible(page)`: fails on serious or critical axe-core violations."""
    return assert_accessible
