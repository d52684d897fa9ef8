"""The read models: `coordination projections run | rebuild | status`."""

import os
import signal
from typing import Annotated

import typer

from coordination.adapters.runtime.heap import freeze_startup_heap
from coordination.adapters.runtime.logs import configure_logging
from coordination.entrypoints.cli.app import projections, services
from coordination.settings import Settings
from projections.runner import Follower


@projections.command("run")
def projections_run(
    supervised: Annotated[bool, typer.Option(
        help="stop when the process that started this one is gone (`serve` starts it so)",
    )] = False,
    nice: Annotated[int, typer.Option(
        min=0, max=19, help="run at this lower CPU priority (`serve` gives 10)",
    )] = 0,
) -> None:  # fmt: skip
    """Follow the event store and keep every view up to date until interrupted."""
    configure_logging(Settings().log_level)
    os.nice(nice)
    parent = os.getppid()
    with services() as svc:
        # A stop (SIGTERM, as `serve` sends) ends the batch under way, then the runner.
        signal.signal(signal.SIGTERM, lambda *_: svc.runner.stopping.set())
        svc.run_projections()
        freeze_startup_heap()
        typer.echo("projections running; Ctrl-C stops them")
        try:
            while not svc.runner.stopping.wait(1.0):
                if supervised and os.getppid() != parent:
                    break  # the server died without stopping us
        except KeyboardInterrupt:
            pass


@projections.command("rebuild")
def projections_rebuild(name: str) -> None:
    """Empty a view and process the whole store again from the first event."""
    with services() as svc:
        try:
            projection = svc.projection(name)
        except StopIteration:
            typer.echo(f"no projection '{name}'", err=True)
            raise typer.Exit(1) from None
        projection.view.clear()
        processed = Follower(svc.app, projection, svc.settings.projection_batch_size).catch_up()
        typer.echo(f"rebuilt {name}: {processed} events")


@projections.command("status")
def projections_status() -> None:
    """Position and lag of every view, and whether a runner keeps it (by its heartbeat)."""
    with services() as svc:
        for status in svc.runner.statuses():
            running = "running" if status.running else "not running"
            typer.echo(f"{status.name}\tposition {status.position}\thead {status.head}"
                       f"\tlag {status.lag}\t{running}")  # fmt: skip
