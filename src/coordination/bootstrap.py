"""The composition root: builds every adapter from settings, for API and CLI alike."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from eventsourcing.utils import get_topic
from psycopg import sql

from coordination.application import CoordinationApplication, utc_now
from coordination.service import CaseService
from coordination.settings import Settings
from coordination.store.access_log import AccessLog
from coordination.store.database import Database
from coordination.store.directory import Directory
from coordination.store.idempotency import IdempotencyStore
from coordination.store.recorders import PostgresCaseRecorder, SQLiteCaseRecorder
from coordination.store.schema import create_tables
from coordination.store.url import StoreConfig, parse_database_url

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

    def close(self) -> None:
        self.app.close()


def bootstrap(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Services:
    config = parse_database_url(settings.database_url)
    if config.dialect == "postgres":
        ensure_schema(config)
    env = {**config.env, "APPLICATION_RECORDER_TOPIC": get_topic(RECORDERS[config.dialect])}
    app = CoordinationApplication(env, clock=clock)
    db = Database(app.factory.datastore, config.dialect, config.schema)  # type: ignore[attr-defined]
    create_tables(db)
    idempotency = IdempotencyStore(db, clock, keep=timedelta(hours=settings.idempotency_hours))
    app.idempotency = idempotency
    directory, access_log = Directory(db), AccessLog(db)
    cases = CaseService(app, directory, access_log, idempotency)
    return Services(settings, app, db, directory, access_log, idempotency, cases)


def ensure_schema(config: StoreConfig) -> None:
    if config.schema == "public":
        return
    e = config.env
    with psycopg.connect(
        dbname=e["POSTGRES_DBNAME"], host=e["POSTGRES_HOST"], port=e["POSTGRES_PORT"],
        user=e["POSTGRES_USER"], password=e["POSTGRES_PASSWORD"], autocommit=True,
        connect_timeout=5,
    ) as conn:  # fmt: skip
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(config.schema))
        )
