"""The composition root: builds every adapter from settings, for API and CLI alike."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import psycopg
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic
from psycopg import sql

from coordination.adapters.hashing.signing import SigningKeys
from coordination.adapters.store.access_log import AccessLog
from coordination.adapters.store.append_only import protect_access_log
from coordination.adapters.store.database import Database
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.idempotency import IdempotencyStore
from coordination.adapters.store.keys import TextSealer, load_master_key
from coordination.adapters.store.recorders import PostgresCaseRecorder, SQLiteCaseRecorder
from coordination.adapters.store.schema import create_tables
from coordination.adapters.store.url import StoreConfig, parse_database_url
from coordination.application.app import CoordinationApplication, utc_now
from coordination.services.caseload import CaseloadService
from coordination.services.cases import CaseService
from coordination.services.erasure import ErasureService
from coordination.services.importing import ImportService
from coordination.services.importing.parallel import Opener
from coordination.services.integrity import IntegrityService
from coordination.services.oversight.service import OversightService
from coordination.services.statistics import StatisticsService
from coordination.settings import Settings
from projections.caseload.projection import CaseloadProjection
from projections.caseload.view import CaseloadView
from projections.runner import ProjectionRunner
from projections.statistics.projection import StatisticsProjection
from projections.statistics.view import StatisticsView

RECORDERS = {"sqlite": SQLiteCaseRecorder, "postgres": PostgresCaseRecorder}


@dataclass
class Services:
    settings: Settings
    app: CoordinationApplication
    db: Database
    directory: Directory
    access_log: AccessLog
    idempotency: IdempotencyStore
    cases: CaseService
    config: StoreConfig
    caseload: CaseloadView
    projections: list[Projection[Any]]
    caseloads: CaseloadService
    statistics: StatisticsService
    integrity: IntegrityService
    importing: ImportService
    # Opens the import service of each process `coordination import --workers N` spawns.
    import_worker: Opener
    oversight: OversightService = field(init=False)
    erasure: ErasureService = field(init=False)

    def __post_init__(self) -> None:
        # Data-protection oversight reads the same history, directory and access log.
        self.oversight = OversightService(self.app, self.directory, self.access_log)
        self.erasure = ErasureService(self.app, self.access_log)

    def runner(self) -> ProjectionRunner:
        runner = ProjectionRunner(
            self.app, self.projections, self.settings.projection_poll_seconds, self.config.dsn,
            self.settings.projection_batch_size,
        )  # fmt: skip
        self.app.on_saved.append(runner.wake)
        return runner

    def projection(self, name: str) -> Projection[Any]:
        return next(p for p in self.projections if p.view.name == name)

    def close(self) -> None:
        self.app.close()


def bootstrap(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Services:
    config = parse_database_url(settings.database_url)
    with creating(config):
        return _build(settings, config, clock)


def _build(settings: Settings, config: StoreConfig, clock: Callable[[], datetime]) -> Services:
    env = {**config.env, "APPLICATION_RECORDER_TOPIC": get_topic(RECORDERS[config.dialect])}
    master_key = load_master_key(settings.master_key, settings.master_key_file)
    app = CoordinationApplication(env, config, master_key, clock=clock)
    db = app.db
    create_tables(db)
    protect_access_log(db)
    idempotency = IdempotencyStore(
        db, clock, in_flight=timedelta(seconds=settings.idempotency_in_flight_seconds),
        keep=timedelta(hours=settings.idempotency_hours),
    )  # fmt: skip
    app.idempotency = idempotency
    directory, access_log = Directory(db), AccessLog(db)
    cases = CaseService(app, directory, access_log, idempotency)
    caseload = CaseloadView(db, TextSealer(app.keys))
    caseload.create_tables()
    projections: list[Projection[Any]] = [CaseloadProjection(caseload)]
    caseloads = CaseloadService(
        app, caseload, directory, access_log, settings.read_your_writes_seconds
    )
    statistics_view = StatisticsView(db)
    statistics_view.create_tables()
    projections.append(StatisticsProjection(statistics_view))
    statistics = StatisticsService(
        app, statistics_view, access_log, settings.read_your_writes_seconds
    )
    integrity = IntegrityService(app, signing_keys(settings))
    importing = ImportService(app, directory, access_log)
    return Services(settings, app, db, directory, access_log, idempotency, cases, config,
                    caseload, projections, caseloads, statistics, integrity, importing,
                    partial(import_worker, settings))  # fmt: skip


def signing_keys(settings: Settings) -> SigningKeys:
    return SigningKeys(
        settings.signing_key, settings.signing_key_file, settings.signing_retired_public_keys
    )


@contextmanager
def import_worker(settings: Settings) -> Iterator[ImportService]:
    """The import service of a process that `coordination import --workers N` spawned."""
    services = bootstrap(settings)
    try:
        yield services.importing
    finally:
        services.close()


@contextmanager
def creating(config: StoreConfig) -> Iterator[None]:
    """Held while a process creates what is missing (schema, tables, types, functions,
    triggers). PostgreSQL refuses some of these statements when two sessions run them at
    once: API workers or nodes starting together failed with "tuple concurrently
    updated" (ADR 0026). A session advisory lock per schema makes them take turns;
    SQLite's single writer does that already."""
    if config.dialect != "postgres":
        yield
        return
    e = config.env
    with psycopg.connect(
        dbname=e["POSTGRES_DBNAME"], host=e["POSTGRES_HOST"], port=e["POSTGRES_PORT"],
        user=e["POSTGRES_USER"], password=e["POSTGRES_PASSWORD"], autocommit=True,
        connect_timeout=5,
    ) as conn:  # fmt: skip
        conn.execute(_LOCK, (f"coordination-bootstrap:{config.schema}",))
        if config.schema != "public":
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(config.schema))
            )
        yield  # the lock ends with the session, however the creation ends


_LOCK = "SELECT pg_advisory_lock(hashtextextended(%s, 0))"
