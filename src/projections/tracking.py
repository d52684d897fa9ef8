"""Tracking: how far each projection has processed the event store.

eventsourcing's SQLite tracking recorder keeps one `tracking` table keyed by the
upstream application's name, so two views of one application in one SQLite file
would share a row. This recorder keys rows by projection and application, in
the service's own database, for both stores alike.
"""

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from coordination.adapters.store.database import Cursor, Database

TABLE = """CREATE TABLE IF NOT EXISTS {p}projection_tracking (
    projection TEXT NOT NULL, application_name TEXT NOT NULL,
    notification_id BIGINT NOT NULL, PRIMARY KEY (projection, application_name))"""


class ViewTracking(TrackingRecorder):
    def __init__(self, db: Database, projection: str) -> None:
        self.db, self.projection = db, projection

    def create_table(self) -> None:
        self.db.execute(TABLE)

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.db.transaction() as cursor:
            self.track(cursor, tracking)

    def track(self, cursor: Cursor, tracking: Tracking) -> None:
        """Record a position, in the caller's transaction; never the same or a lower one."""
        self.db.run(
            cursor,
            "INSERT INTO {p}projection_tracking AS t VALUES (%s, %s, %s)"
            " ON CONFLICT (projection, application_name) DO UPDATE"
            " SET notification_id = excluded.notification_id"
            " WHERE t.notification_id < excluded.notification_id RETURNING notification_id",
            (self.projection, tracking.application_name, tracking.notification_id),
        )
        if not cursor.fetchall():
            msg = f"{self.projection} has already processed {tracking}"
            raise IntegrityError(msg)

    def max_tracking_id(self, application_name: str) -> int | None:
        row = self.db.fetch_one(
            "SELECT notification_id FROM {p}projection_tracking"
            " WHERE projection = %s AND application_name = %s",
            (self.projection, application_name),
        )
        return int(row["notification_id"]) if row else None

    def forget(self, cursor: Cursor) -> None:
        self.db.run(
            cursor, "DELETE FROM {p}projection_tracking WHERE projection = %s", (self.projection,)
        )
