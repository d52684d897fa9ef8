"""The `coordination` command: each module registers its subcommands on `cli`."""

from coordination.entrypoints.cli import (
    cases,
    directory,
    integrity,
    oversight,
    projections,
    server,
    users,
)
from coordination.entrypoints.cli import statutory as statutory  # `coordination rules`
from coordination.entrypoints.cli.app import cli

COMMANDS = (cases, directory, integrity, oversight, projections, server, users)


def main() -> None:
    cli()


__all__ = ["cli", "main"]
