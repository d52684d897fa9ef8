"""The composition root: builds every store, view and service from settings, for the HTTP
API, the command line, the import workers and the tests alike, and owns what runs in
the background: the group committer, the event loop's pool, the projection runner.

The schema is made in a step of its own, `migrate`, which `coordination migrate` and
`coordination serve` run; building the services creates nothing in the database.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic
from psycopg import sql

from coordination.adapters.hashing.signing import SigningKeys
from coordination.adapters.identity_provider import (
    IdentityProvider,
    ProviderSettings,
    flow_secret,
)
from coordination.adapters.passwords import Passwords
from coordination.adapters.person_index import PersonEncoder
from coordination.adapters.second_factor import SecondFactors
from coordination.adapters.store.access_log import AccessLog
from coordination.adapters.store.accounts import Accounts
from coordination.adapters.store.append_only import protect_access_log
from coordination.adapters.store.database import Database
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.duplicates import DuplicateStore
from coordination.adapters.store.idempotency import IdempotencyStore, IdempotencyTimes
from coordination.adapters.store.keys import TextSealer, load_master_key
from coordination.adapters.store.recorders import PostgresCaseRecorder, SQLiteCaseRecorder
from coordination.adapters.store.schema import create_tables
from coordination.adapters.store.tokens import TokenLookup
from coordination.adapters.store.url import StoreConfig, parse_database_url
from coordination.adapters.store.webhooks import WebhookStore
from coordination.application.app import CoordinationApplication, utc_now
from coordination.domain.policy import Policy
from coordination.domain.retention import Retention
from coordination.services.accounts import AccountService, SessionTimes
from coordination.services.agency_directory import AgencyDirectory
from coordination.services.agency_tokens import AgencyTokens
from coordination.services.case_register import CaseRegister
from coordination.services.caseload import CaseloadService
from coordination.services.cases import CaseService
from coordination.services.duplicates import DuplicateCheck
from coordination.services.erasure import ErasureService
from coordination.services.feed import FeedService
from coordination.services.grounds import GroundsLookup
from coordination.services.importing import ImportService
from coordination.services.importing.parallel import Opener
from coordination.services.integrity import IntegrityService
from coordination.services.oversight.service import OversightService
from coordination.services.person_search import PersonSearch
from coordination.services.statistics import StatisticsService
from coordination.services.statutory import StatutoryRules, record_starter_set
from coordination.services.webhooks.dispatcher import Dispatcher
from coordination.services.webhooks.registry import WebhookService
from coordination.settings import Settings
from projections.beats import Beats
from projections.caseload.projection import CaseloadProjection
from projections.caseload.view import CaseloadView
from projections.feed.projection import FeedProjection
from projections.feed.view import FeedView
from projections.person_index.projection import PersonIndexProjection
from projections.person_index.view import PersonIndexView
from projections.runner import ProjectionRunner, Saves
from projections.statistics.projection import StatisticsProjection
from projections.statistics.view import StatisticsView
from projections.view import View

RECORDERS = {"sqlite": SQLiteCaseRecorder, "postgres": PostgresCaseRecorder}
Clock = Callable[[], datetime]


@dataclass
class Services:
    settings: Settings
    config: StoreConfig
    app: CoordinationApplication
    db: Database
    directory: Directory
    tokens: TokenLookup
    access_log: AccessLog
    idempotency: IdempotencyStore
    cases: CaseService
    caseloads: CaseloadService
    statistics: StatisticsService
    feed: FeedService
    webhooks: WebhookService
    # Delivers the webhooks beside the projections (ADR 0057).
    dispatcher: Dispatcher
    oversight: OversightService
    erasure: ErasureService
    integrity: IntegrityService
    importing: ImportService
    # Opens the import service of each process `coordination import --workers N` spawns.
    import_worker: Opener
    caseload: CaseloadView
    projections: list[Projection[Any]]
    runner: ProjectionRunner
    statutory: StatutoryRules
    accounts: AccountService
    people: PersonSearch
    duplicates: DuplicateCheck
    register: CaseRegister
    agencies: AgencyDirectory
    agency_tokens: AgencyTokens
    # The agency's identity provider people may sign in through (ADR 0048), if any.
    identity_provider: IdentityProvider | None = None

    def projection(self, name: str) -> Projection[Any]:
        return next(p for p in self.projections if p.view.name == name)

    def run_projections(self) -> None:
        """Keep the views, and deliver the webhooks, in threads of this process, until
        `close`."""
        self.runner.start()
        self.dispatcher.start()

    async def open_loop(self) -> None:
        """The pool of the serving event loop (PostgreSQL): token look-ups and case loads
        run on the loop from here on (ADR 0028, ADR 0030)."""
        await self.app.loop_pool.start()

    async def close_loop(self) -> None:
        await self.app.loop_pool.stop()

    def close(self) -> None:
        self.dispatcher.stop()
        if self.runner.running:
            self.runner.stop()
        self.app.close()


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Services:
    """Every service, on a store that `migrate` made; the group committer started."""
    config = parse_database_url(settings.database_url)
    saves = Saves()
    app = _application(settings, config, clock, saves.saved, create=False)
    db = app.db
    directory, access_log = app.directory, AccessLog(db)
    caseload = CaseloadView(db, TextSealer(app.keys, directory.controller_of))
    statistics_view, feed_view = StatisticsView(db), FeedView(db)
    person_index, encoder = PersonIndexView(db), PersonEncoder(app.master_key)
    projections: list[Projection[Any]] = [
        CaseloadProjection(caseload), StatisticsProjection(statistics_view),
        PersonIndexProjection(person_index, encoder, _person_at(app)),
        FeedProjection(feed_view),
    ]  # fmt: skip
    runner = ProjectionRunner(
        app, projections, saves, Beats(db), settings.projection_poll_seconds, config.dsn,
        settings.projection_batch_size, settings.projection_gather_seconds,
    )  # fmt: skip
    wait = settings.read_your_writes_seconds
    statutory = StatutoryRules(app)
    grounds = GroundsLookup(directory, statutory)
    duplicates = DuplicateCheck(
        person_index, encoder, DuplicateStore(db),
        lambda case_id: app.get_case(case_id).lead_agency, directory, access_log, app.clock,
    )  # fmt: skip
    cases = CaseService(app, directory, access_log, grounds, duplicates, policy(settings))
    feed, webhook_store = FeedService(feed_view, cases), WebhookStore(db, app.master_key)
    services = Services(
        settings=settings, config=config, app=app, db=db, directory=directory,
        tokens=TokenLookup(directory, app.loop_pool), access_log=access_log,
        idempotency=app.idempotency,
        cases=cases,
        caseloads=CaseloadService(app, caseload, directory, access_log, wait),
        statistics=StatisticsService(app, statistics_view, access_log, wait),
        feed=feed,
        webhooks=WebhookService(
            webhook_store, feed_view, access_log, settings.webhook_hosts, app.clock
        ),
        dispatcher=Dispatcher(
            webhook_store, feed, feed_view, directory, settings.webhook_hosts, app.clock
        ),
        oversight=OversightService(app, directory, access_log, grounds),
        erasure=ErasureService(
            app, directory, access_log, Retention.named(settings.retention_rules),
            needs_approval=settings.erasure_needs_approval,
        ),
        integrity=IntegrityService(app, signing_keys(settings), access_log),
        importing=ImportService(
            app, directory, access_log, policy=policy(settings), statute=statutory.statute
        ),
        import_worker=partial(import_worker, settings),
        caseload=caseload, projections=projections, runner=runner,
        statutory=statutory, accounts=account_service(settings, app, directory, clock),
        people=PersonSearch(person_index, encoder, caseload, cases, access_log, app.clock),
        duplicates=duplicates,
        register=CaseRegister(caseload, access_log, app.clock),
        agencies=AgencyDirectory(directory),
        agency_tokens=AgencyTokens(directory, access_log, app.clock, settings.token_days),
        identity_provider=identity_provider(settings),
    )  # fmt: skip
    app.start()
    return services


def _person_at(app: CoordinationApplication) -> Callable[[UUID, int], dict[str, Any]]:
    """The person as a case held her at a version: for the person index's re-encoding."""
    return lambda case_id, version: app.get_case(case_id, version).person


def account_service(
    settings: Settings, app: CoordinationApplication, directory: Directory, clock: Clock
) -> AccountService:
    times = SessionTimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_hours),
    )
    return AccountService(
        Accounts(app.db), directory, Passwords(), clock, times, SecondFactors(app.master_key),
        frozenset(settings.require_2fa_for),
    )  # fmt: skip


def identity_provider(settings: Settings) -> IdentityProvider | None:
    if not settings.oidc_issuer:
        return None
    return IdentityProvider(ProviderSettings(
        settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
        settings.oidc_name,
    ))  # fmt: skip


def sign_in_flow_secret(settings: Settings) -> str:
    """Signs the cookie that carries a sign-in through the identity provider."""
    return flow_secret(load_master_key(settings.master_key, settings.master_key_file))


def policy(settings: Settings) -> Policy:
    return Policy(settings.consent_age, settings.emergency_access_hours)


def migrate(settings: Settings) -> None:
    """Create what the store lacks: the schema, the event store's tables, the service's
    tables and triggers, the views' tables. Safe to run again, and by processes starting
    together."""
    config = parse_database_url(settings.database_url)
    with creating(config):
        app = _application(settings, config, utc_now, lambda: None, create=True)
        try:
            app.keys.create_table()
            create_tables(app.db)
            protect_access_log(app.db)
            views: list[View] = [
                CaseloadView(app.db),
                StatisticsView(app.db),
                PersonIndexView(app.db),
                FeedView(app.db),
            ]
            for view in views:
                view.create_tables()
            Beats(app.db).create_table()
            # The statutory rule book holds the starter set from the first start on.
            app.start()
            record_starter_set(app)
        finally:
            app.close()


def _application(
    settings: Settings, config: StoreConfig, clock: Clock, on_saved: Callable[[], None],
    create: bool,
) -> CoordinationApplication:  # fmt: skip
    env = {
        **config.env,
        "APPLICATION_RECORDER_TOPIC": get_topic(RECORDERS[config.dialect]),
        # The event store's tables are made by `migrate`, not by every process starting.
        "CREATE_TABLE": "y" if create else "n",
    }
    times = IdempotencyTimes(
        in_flight=timedelta(seconds=settings.idempotency_in_flight_seconds),
        keep=timedelta(hours=settings.idempotency_hours),
    )
    master_key = load_master_key(settings.master_key, settings.master_key_file)
    return CoordinationApplication(
        env, config, master_key, clock=clock, idempotency=times, on_saved=on_saved
    )


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
