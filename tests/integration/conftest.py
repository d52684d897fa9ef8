"""Fixtures of the integration tests beyond the suite's own (tests/conftest.py)."""

from collections.abc import Iterator

import pytest

from coordination.bootstrap import Services, bootstrap
from coordination.settings import Settings
from tests.support import FakeClock


@pytest.fixture
def other(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """A second worker on the same store: its own write cache, group committer and
    idempotency claims, none of the first one's cases cached."""
    svc = bootstrap(settings, clock)
    yield svc
    svc.close()
