"""The as-of rebuild: the same projection over the events up to an instant."""

from datetime import UTC, datetime

import pytest

from coordination.adapters.timestamps import stamp
from coordination.bootstrap import Services
from projections.caseload import as_of
from projections.caseload.projection import CaseloadProjection
from projections.runner import Follower
from tests.integration.test_projections import rows, story
from tests.support import STARTER_EVENTS, FakeClock

LATER = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Several reads of the store per rebuild, so paging through it is exercised.
    monkeypatch.setattr(as_of, "BATCH_SIZE", 4)


def test_a_rebuild_up_to_now_equals_the_live_view(services: Services) -> None:
    story(services)
    Follower(services.app, services.projection("caseload")).catch_up()
    head = services.app.recorder.max_notification_id()

    with as_of.scratch_view() as view:
        assert as_of.replay(services.app, CaseloadProjection(view), until=LATER) == head
        assert rows(view) == rows(services.caseload)
        assert view.position(services.app.name) == head


def test_a_rebuild_leaves_out_what_was_recorded_after_the_instant(
    services: Services, clock: FakeClock
) -> None:
    story(services, cases=2)
    cut = clock.now
    clock.advance(minutes=1)
    story(services, cases=1)

    with as_of.scratch_view() as view:
        as_of.replay(services.app, CaseloadProjection(view), until=cut)
        assert len(view.rows("SELECT * FROM {p}caseload_cases")) == 2
        latest = view.rows("SELECT MAX(last_event_at) AS at FROM {p}caseload_cases")[0]["at"]
        assert latest == stamp(cut)


def test_a_store_without_cases_rebuilds_to_an_empty_caseload(services: Services) -> None:
    with as_of.scratch_view() as view:
        # Read up to the rule book's starter set, which no caseload shows.
        assert as_of.replay(services.app, CaseloadProjection(view), until=LATER) == STARTER_EVENTS
        assert rows(view) == {table: [] for table in view.table_names}
