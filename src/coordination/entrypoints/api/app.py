"""create_app(settings): the HTTP application, built around one Services."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from fastapi.routing import APIRoute

from coordination.adapters.runtime.heap import freeze_startup_heap
from coordination.adapters.runtime.logs import configure_logging
from coordination.application.app import utc_now
from coordination.bootstrap import bootstrap
from coordination.entrypoints.api import (
    agencies,
    audit,
    caseload,
    cases,
    duplicates,
    erasure,
    feed,
    ops,
    oversight,
    people,
    problems,
    register,
    statistics,
    statutory,
    tokens,
    webhooks,
)
from coordination.entrypoints.api.document import keep_example_nulls
from coordination.entrypoints.api.imports import router as imports_router
from coordination.entrypoints.api.middleware import BodyGuard, RequestContext, SecurityHeaders
from coordination.entrypoints.api.rate_limit import RateLimiter
from coordination.entrypoints.web.app import install as install_web_app
from coordination.settings import Settings

DESCRIPTION = (
    "Agencies post what they do for one person as immutable events on that person's case. "
    "Data reaches another agency only under a recorded consent; every read is logged. "
    "Each operation's security requirement names the token roles that may call it."
)


def operation_id(route: APIRoute) -> str:
    """The route's function name (`record_event`, `get_case`): what a generated client
    calls its methods."""
    return route.name


def create_app(
    settings: Settings | None = None, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = bootstrap(settings, clock)
        services.idempotency.purge_expired()
        if settings.run_projections:
            services.run_projections()
        await services.open_loop()
        app.state.services = services
        if settings.freeze_heap:
            freeze_startup_heap()
        try:
            yield
        finally:
            await services.close_loop()
            services.close()

    app = FastAPI(title="Migrant integration coordination", version="1",
                  description=DESCRIPTION, lifespan=lifespan,
                  generate_unique_id_function=operation_id)  # fmt: skip
    app.openapi = keep_example_nulls(app)  # type: ignore[method-assign]
    problems.install(app)
    app.include_router(register.router)
    app.include_router(cases.router)
    app.include_router(caseload.router)
    app.include_router(feed.router)
    app.include_router(webhooks.router)
    app.include_router(people.router)
    app.include_router(duplicates.router)
    app.include_router(erasure.router)
    app.include_router(statistics.router)
    app.include_router(oversight.router)
    app.include_router(audit.router)
    app.include_router(imports_router)
    app.include_router(statutory.router)
    app.include_router(agencies.router)
    app.include_router(tokens.router)
    app.include_router(ops.router)
    install_web_app(app, settings)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestContext)
    return app
