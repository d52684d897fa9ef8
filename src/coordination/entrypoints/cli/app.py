"""The `coordination` command. Every subcommand reads COORDINATION_DATABASE_URL."""

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from coordination.adapters.store.schema import created
from coordination.bootstrap import Services, bootstrap
from coordination.settings import Settings

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
agencies = typer.Typer(no_args_is_help=True, help="Register and list agencies.")
tokens = typer.Typer(no_args_is_help=True, help="Issue and revoke bearer tokens.")
projections = typer.Typer(no_args_is_help=True, help="Run, rebuild and inspect read models.")
cli.add_typer(projections, name="projections")
cli.add_typer(agencies, name="agencies")
cli.add_typer(tokens, name="tokens")
users = typer.Typer(no_args_is_help=True, help="Staff accounts of the web app.")
cli.add_typer(users, name="users")


@contextmanager
def services(settings: Settings | None = None) -> Iterator[Services]:
    """The services on the configured store, which `coordination migrate` made."""
    svc = bootstrap(settings or Settings())
    try:
        if not created(svc.db):
            typer.echo("the database has no schema yet: run `coordination migrate`", err=True)
            raise typer.Exit(1)
        yield svc
    finally:
        svc.close()
