"""Heartbeats of the runners: whether each projection is being kept, seen from any process.

A runner may run in the API's process, in a process `coordination serve` supervises, or
on another node (`coordination projections run`). Each of its followers writes a beat
about once a second, with the error of its last batch if it failed, so an API process
tells in `/readyz` whether the views are kept, wherever that happens.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from coordination.adapters.store.database import Database
from coordination.adapters.timestamps import stamp

TABLE = """CREATE TABLE IF NOT EXISTS {p}projection_beats (
    projection TEXT PRIMARY KEY, beat_at TEXT NOT NULL, error TEXT)"""
EVERY = timedelta(seconds=1)
# A runner silent for this long is taken for stopped.
STALE = timedelta(seconds=5)


@dataclass(frozen=True)
class Beat:
    at: datetime
    error: str | None

    def alive(self, now: datetime) -> bool:
        return now - self.at <= STALE


class Beats:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create_table(self) -> None:
        self.db.execute(TABLE)

    def beat(self, projection: str, error: str | None, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO {p}projection_beats VALUES (%s, %s, %s) ON CONFLICT (projection)"
            " DO UPDATE SET beat_at = excluded.beat_at, error = excluded.error",
            (projection, stamp(now), error),
        )

    def last(self) -> dict[str, Beat]:
        rows = self.db.fetch_all("SELECT * FROM {p}projection_beats")
        return {r["projection"]: Beat(_instant(r["beat_at"]), r["error"]) for r in rows}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=UTC)
