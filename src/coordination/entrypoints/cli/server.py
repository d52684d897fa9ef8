"""Serving: `coordination migrate`, `coordination serve`, `coordination demo`."""

import os
import signal
from contextlib import nullcontext
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from coordination.bootstrap import migrate as migrate_store
from coordination.entrypoints.cli.app import cli, services
from coordination.entrypoints.server import listening
from coordination.entrypoints.server.serving import uvicorn_limits
from coordination.entrypoints.server.supervisor import ProjectionProcess
from coordination.settings import Settings

APP = "coordination.entrypoints.api.app:create_app"


@cli.command()
def migrate() -> None:
    """Create or upgrade the database schema; `serve` runs it at start. Safe to repeat."""
    migrate_store(Settings())
    typer.echo("the database schema is up to date")


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    projections: Annotated[bool, typer.Option(
        help="keep the read models in a process this server supervises; with"
             " --no-projections they are kept elsewhere (`coordination projections run`)",
    )] = True,
    workers: Annotated[int, typer.Option(min=1, help="API worker processes")] = 1,
) -> None:  # fmt: skip
    """Serve the HTTP API, after `migrate`. The projections run in a process of their
    own, started again if it stops. Never loads demo data by itself."""
    migrate_store(Settings())
    # Read by each API process as it starts: none runs the projections itself, and
    # each freezes what it holds after starting (adapters/runtime/heap.py).
    os.environ["COORDINATION_RUN_PROJECTIONS"] = "false"
    if not projections:
        os.environ["COORDINATION_PROJECTIONS_REQUIRED"] = "false"
    os.environ.setdefault("COORDINATION_FREEZE_HEAP", "true")
    options = dict(factory=True, host=host, port=port, workers=workers, log_config=None,
                   access_log=False, **uvicorn_limits())  # fmt: skip
    # uvicorn shuts down on SIGTERM, then raises it again for the handler it found: this
    # one leaves `serve` as after Ctrl-C, so the projection process is stopped with it.
    signal.signal(signal.SIGTERM, _stopped)
    with ProjectionProcess() if projections else nullcontext():
        if workers > 1 and listening.AVAILABLE:
            listening.run_workers(uvicorn.Config(APP, **options))
        else:
            uvicorn.run(APP, **options)


def _stopped(_signal: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


@cli.command()
def demo() -> None:
    """Load demo agencies and cases into an empty database and print their tokens."""
    from coordination.entrypoints.cli.demo import load_demo

    with services() as svc:
        load_demo(svc)
