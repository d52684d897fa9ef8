"""Runners: follow the event store and feed projections in batches.

One code path for both stores: read `select_notifications` after the view's
position, process a batch in one transaction, repeat; when caught up, wait for
a wake-up. Saves in this process wake the runner at once; PostgreSQL's NOTIFY
wakes it for saves of other processes; SQLite, which has no notifications, is
polled at a short interval.
"""

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from psycopg import sql

from coordination.adapters.store.sealing import SealingMapper
from projections.view import View

log = structlog.get_logger()


class Wakeup:
    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> None:
        self._event.wait(timeout)
        self._event.clear()


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
        self, app: Application[Any], projection: Projection[View], batch_size: int = 500
    ) -> None:
        self.app, self.projection, self.batch_size = app, projection, batch_size
        self.view = projection.view
        self.error: str | None = None
        self.failures = 0  # batches that failed and were retried, since start

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
            with self.view.batch(Tracking(self.app.name, batch[-1].id)):
                for event, position in events:
                    self.projection.process_event(event, Tracking(self.app.name, position))
            # Committed: a failure before it is behind us. Cleared here, not after the
            # catch-up's next read, so a status that shows the new position shows no
            # stale error (a test read the two in between once).
            self.error = None
            done += len(batch)
        return done

    def run(self, stop: threading.Event, wakeup: Wakeup, poll: float) -> None:
        pause = 0.5
        while not stop.is_set():
            try:
                self.catch_up()
                self.error, pause = None, 0.5
                wakeup.wait(poll)
            except Exception as error:
                # The batch rolled back; retry from the last committed position.
                self.error = type(error).__name__
                self.failures += 1
                log.warning("projection failed", projection=self.view.name, error=self.error)
                stop.wait(pause)
                pause = min(pause * 2, 30.0)

    def status(self, running: bool) -> ProjectionStatus:
        head = self.app.recorder.max_notification_id() or 0
        position = self.view.position(self.app.name)
        return ProjectionStatus(self.view.name, position, head, running, self.error)


class ProjectionRunner:
    """Runs followers in threads until stopped; woken by saves and NOTIFY."""

    def __init__(
        self, app: Application[Any], projections: Sequence[Projection[View]],
        poll_interval: float = 0.2, listen_dsn: str | None = None, batch_size: int = 500,
    ) -> None:  # fmt: skip
        self.followers = [Follower(app, p, batch_size) for p in projections]
        self.poll_interval, self.listen_dsn = poll_interval, listen_dsn
        self.wakeups = [Wakeup() for _ in self.followers]
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []  # one per follower, in order

    def wake(self) -> None:
        for wakeup in self.wakeups:
            wakeup.set()

    def start(self) -> None:
        for follower, wakeup in zip(self.followers, self.wakeups, strict=True):
            args = (self.stopping, wakeup, self.poll_interval)
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
        self.wake()
        for thread in self.threads:
            thread.join(timeout=10)

    def statuses(self) -> list[ProjectionStatus]:
        running = bool(self.threads) and not self.stopping.is_set()
        return [
            f.status(running and self.threads[i].is_alive()) for i, f in enumerate(self.followers)
        ]

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
                        self.wake()
            self.stopping.wait(1.0)  # the server went away: try again shortly
