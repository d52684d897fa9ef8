"""Our tracking table passes eventsourcing's own tracking-recorder suite, on both stores."""

import tempfile
from contextlib import ExitStack

import pytest
from eventsourcing.tests.persistence import TrackingRecorderTestCase

from coordination.bootstrap import bootstrap
from coordination.settings import Settings
from projections.tracking import ViewTracking
from tests.support import migrated, postgres_schema


class ViewTrackingOnSQLite(TrackingRecorderTestCase):
    def setUp(self) -> None:
        self.stack = ExitStack()
        folder = self.stack.enter_context(tempfile.TemporaryDirectory())
        self.services = bootstrap(Settings(database_url=migrated(f"sqlite:///{folder}/t.db")))
        self.stack.callback(self.services.close)

    def tearDown(self) -> None:
        self.stack.close()

    def create_recorder(self) -> ViewTracking:
        recorder = ViewTracking(self.services.db, "suite")
        recorder.create_table()
        return recorder


@pytest.mark.postgres
class ViewTrackingOnPostgres(ViewTrackingOnSQLite):
    def setUp(self) -> None:
        self.stack = ExitStack()
        url = migrated(self.stack.enter_context(postgres_schema()))
        self.services = bootstrap(Settings(database_url=url))
        self.stack.callback(self.services.close)


del TrackingRecorderTestCase
