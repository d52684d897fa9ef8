"""The `coordination` command. Every subcommand reads COORDINATION_DATABASE_URL."""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import typer
import uvicorn
from fastapi.encoders import jsonable_encoder

from coordination.bootstrap import Services, bootstrap
from coordination.domain.case_view import view_case
from coordination.domain.visibility import Sight
from coordination.logs import configure_logging
from coordination.settings import Settings
from coordination.store.directory import Agency, AgencyExists, AgencyKind, Role, UnknownAgency
from projections.runner import Follower

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
agencies = typer.Typer(no_args_is_help=True, help="Register and list agencies.")
tokens = typer.Typer(no_args_is_help=True, help="Issue and revoke bearer tokens.")
projections = typer.Typer(no_args_is_help=True, help="Run, rebuild and inspect read models.")
cli.add_typer(projections, name="projections")
cli.add_typer(agencies, name="agencies")
cli.add_typer(tokens, name="tokens")


@contextmanager
def services() -> Iterator[Services]:
    svc = bootstrap(Settings())
    try:
        yield svc
    finally:
        svc.close()


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    projections: Annotated[
        bool, typer.Option(help="run the projections in this process too")
    ] = True,
) -> None:
    """Serve the HTTP API. Never loads demo data by itself."""
    if not projections:
        os.environ["COORDINATION_RUN_PROJECTIONS"] = "false"
    uvicorn.run("coordination.api.app:create_app", factory=True, host=host, port=port,
                log_config=None, access_log=False)  # fmt: skip


@cli.command()
def demo() -> None:
    """Load demo agencies and cases into an empty database and print their tokens."""
    from coordination.demo import load_demo

    with services() as svc:
        load_demo(svc)


@agencies.command("add")
def agencies_add(
    agency_id: str,
    name: Annotated[str, typer.Option()],
    kind: Annotated[AgencyKind, typer.Option()],
    municipality: Annotated[str, typer.Option()],
) -> None:
    from coordination.domain.rules import SLUG

    for value in (agency_id, municipality):
        if not SLUG.fullmatch(value):
            raise typer.BadParameter(f"'{value}' is not a slug ([a-z0-9][a-z0-9-]{{1,62}})")
    with services() as svc:
        try:
            svc.directory.add_agency(Agency(agency_id, name, kind, municipality))
        except AgencyExists:
            typer.echo(f"agency '{agency_id}' exists already", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"added {agency_id}")


@agencies.command("list")
def agencies_list() -> None:
    with services() as svc:
        for a in svc.directory.list_agencies():
            typer.echo(f"{a.agency_id}\t{a.kind.value}\t{a.municipality}\t{a.name}")


@tokens.command("issue")
def tokens_issue(
    agency_id: str,
    role: Annotated[Role, typer.Option()],
    label: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Print the token id, then the token alone on the last line (shown only once)."""
    with services() as svc:
        try:
            issued = svc.directory.issue_token(agency_id, role, label)
        except UnknownAgency:
            typer.echo(f"no agency '{agency_id}'", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"token id: {issued.token_id}")
    typer.echo(issued.token)


@tokens.command("revoke")
def tokens_revoke(token_id: str) -> None:
    with services() as svc:
        if not svc.directory.revoke_token(token_id):
            typer.echo(f"no token '{token_id}'", err=True)
            raise typer.Exit(1)
    typer.echo(f"revoked {token_id}")


@cli.command()
def replay(
    case_id: UUID,
    as_of: Annotated[datetime | None, typer.Option("--as-of")] = None,
    version: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Print a case's state as JSON, now or as it was at a time or version."""
    with services() as svc:
        if as_of is not None:
            as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
            events = [e for e in svc.app.history(case_id) if e.timestamp <= as_of]
            if not events:
                typer.echo("the case did not exist then", err=True)
                raise typer.Exit(1)
            version = events[-1].originator_version
        case = svc.app.get_case(case_id, version)
        view = view_case(case, Sight("cli", svc.app.clock(), {}, everything=True))
        state = {"case_id": case.id, "version": case.version, **(view.data or {})}
        typer.echo(json.dumps(jsonable_encoder(state), indent=2, ensure_ascii=False))


@projections.command("run")
def projections_run() -> None:
    """Follow the event store and keep every view up to date until interrupted."""
    configure_logging(Settings().log_level)
    with services() as svc:
        runner = svc.runner()
        runner.start()
        typer.echo("projections running; Ctrl-C stops them")
        try:
            while not runner.stopping.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            runner.stop()


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
        processed = Follower(svc.app, projection).catch_up()
        typer.echo(f"rebuilt {name}: {processed} events")


@projections.command("status")
def projections_status() -> None:
    """Position and lag of every view."""
    with services() as svc:
        for p in svc.projections:
            status = Follower(svc.app, p).status(running=False)
            typer.echo(f"{status.name}\tposition {status.position}\thead {status.head}"
                       f"\tlag {status.lag}")  # fmt: skip


def main() -> None:
    cli()
