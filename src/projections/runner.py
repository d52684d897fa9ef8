"""Runners: follow the event store and feed projections in batches.

One code path for both stores: read `select_notifications` after the view's
position, process a batch in one transaction, repeat; when caught up, wait for
a wake-up. Saves in this process wake the runner at once (`Saves`, raised by the
application after each commit); PostgreSQL's NOTIFY wakes it for saves of other
processes; SQLite, which has no notifications, is polled at a short interval. Each
follower writes a heartbeat (beats.py), so any process can tell it is running.
"""

import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

import psycopg
import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg import sql

from coordination.adapters.store.sealing import SealingMapper
from projections.beats import EVERY, Beats
from projections.view import View

log = structlog.get_logger()


@runtime_checkable
class Preparing(Protocol):
    """A projection that reads from the store for some events does so here, before its
    batch's transaction opens (as decoding does, and for the same reason)."""

    def prepare(self, events: Sequence[Any]) -> None: ...


class Saves:
    """Commits seen in this process: the application raises it after each, and every
    follower waiting wakes at once."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0

    def saved(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """The count of saves, once it is not `seen` any more, or after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self._count != seen, timeout)
            return self._count


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int
    running: bool
    error: str | None

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class Follower:
    """Feeds one projection from one application, batch by batch."""

    def __init__(
        self, app: Application[Any], projection: Projection[View], batch_size: int = 500,
        beats: Beats | None = None,
    ) -> None:  # fmt: skip
        self.app, self.projection, self.batch_size = app, projection, batch_size
        self.view, self.beats = projection.view, beats
        self.error: str | None = None
        self.failures = 0  # batches that failed and were retried, since start
        self._beaten: datetime | None = None

    def catch_up(self) -> int:
        """Process everything recorded so far; return how many events that was."""
        done = 0
        while batch := self.app.recorder.select_notifications(
            start=self.view.position(self.app.name) + 1, limit=self.batch_size
        ):
            # Decode first: decoding reads case keys, and on SQLite a second connection
            # opened inside the batch's write transaction can stall behind a waiting writer.
            if isinstance(self.app.mapper, SealingMapper):
                self.app.mapper.prefetch_keys(batch)
            events = [(self.app.mapper.to_domain_event(n), n.id) for n in batch]
            if isinstance(self.projection, Preparing):
                self.projection.prepare([event for event, _ in events])
            with self.view.batch(Tracking(self.app.name, batch[-1].id)):
                for event, position in events:
                    self.projection.process_event(event, Tracking(self.app.name, position))
            # Committed: a failure before it is behind us. Cleared here, not after the
            # catch-up's next read, so a status that shows the new position shows no
            # stale error (a test read the two in between once).
            self.error = None
            done += len(batch)
        return done

    def run(self, stop: threading.Event, saves: Saves, poll: float, gather: float = 0.0) -> None:
        """Catch up, then wait for a save. Under load at most one batch every `gather`
        seconds: a batch's cost is mostly its own (a transaction, the case keys), not its
        events', and the writes of that moment share one. After a quiet spell, at once."""
        pause, seen = 0.5, 0
        while not stop.is_set():
            try:
                began = time.monotonic()
                self.catch_up()
                self.error, pause = None, 0.5
                self._beat()
                woken = saves.wait(seen, poll)
                if woken != seen:
                    stop.wait(began + gather - time.monotonic())
                seen = woken
            except Exception as error:
                # The batch rolled back; retry from the last committed position.
                self.error = type(error).__name__
                self.failures += 1
                log.warning("projection failed", projection=self.view.name, error=self.error)
                self._beat()
                stop.wait(pause)
                pause = min(pause * 2, 30.0)

    def _beat(self) -> None:
        now = datetime.now(UTC)
        if self.beats is None or (self._beaten is not None and now - self._beaten < EVERY):
            return
        with contextlib.suppress(Exception):  # a beat that fails is only a late beat
            self.beats.beat(self.view.name, self.error, now)
            self._beaten = now

    def status(self, running: bool) -> ProjectionStatus:
        """Where the view stands, kept here (`running`) or not."""
        return self.reported(running, self.error)

    def reported(self, running: bool, error: str | None) -> ProjectionStatus:
        head = self.app.recorder.max_notification_id() or 0
        position = self.view.position(self.app.name)
        return ProjectionStatus(self.view.name, position, head, running, error)


class ProjectionRunner:
    """Runs followers in threads until stopped; woken by this process's saves and NOTIFY."""

    def __init__(
        self, app: Application[Any], projections: Sequence[Projection[View]], saves: Saves,
        beats: Beats, poll_interval: float = 0.2, listen_dsn: str | None = None,
        batch_size: int = 500, gather: float = 0.0,
    ) -> None:  # fmt: skip
        self.followers = [Follower(app, p, batch_size, beats) for p in projections]
        self.beats = beats
        self.saves, self.poll_interval, self.listen_dsn = saves, poll_interval, listen_dsn
        self.gather = gather
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []  # one per follower, in order

    @property
    def running(self) -> bool:
        """Whether the followers run in this process."""
        return bool(self.threads) and not self.stopping.is_set()

    def start(self) -> None:
        for follower in self.followers:
            args = (self.stopping, self.saves, self.poll_interval, self.gather)
            name = f"projection-{follower.view.name}"
            self.threads.append(threading.Thread(target=follower.run, args=args, name=name))
        for thread in self.threads:
            thread.daemon = True
            thread.start()
        if self.listen_dsn:
            # Not joined on stop: it notices within a second and holds no work.
            threading.Thread(target=self._listen, name="projection-listen", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        self.saves.saved()
        for thread in self.threads:
            thread.join(timeout=10)

    def statuses(self) -> list[ProjectionStatus]:
        """Here, by the threads; for a runner elsewhere, by its heartbeats."""
        if not self.running:
            beats, now, statuses = self.beats.last(), datetime.now(UTC), []
            for follower in self.followers:
                beat = beats.get(follower.view.name)
                alive, error = (beat.alive(now), beat.error) if beat else (False, None)
                statuses.append(follower.reported(alive, error))
            return statuses
        return [f.status(self.threads[i].is_alive()) for i, f in enumerate(self.followers)]

    def _listen(self) -> None:
        assert self.listen_dsn is not None
        channel = getattr(self.followers[0].app.recorder, "channel_name", "")
        while not self.stopping.is_set():
            with (
                contextlib.suppress(psycopg.Error),
                psycopg.connect(self.listen_dsn, autocommit=True, connect_timeout=5) as conn,
            ):
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                while not self.stopping.is_set():
                    for _ in conn.notifies(timeout=1.0, stop_after=1):
                        self.saves.saved()
            self.stopping.wait(1.0)  # the server went away: try again shortly
