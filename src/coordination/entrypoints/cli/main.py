"""The `coordination` command: each module registers its subcommands on `cli`."""

from coordination.entrypoints.cli import (
    cases,
    directory,
    integrity,
    oversight,
    projections,
    server,
)
from coordination.entrypoints.cli import statutory as statutory  # `coordination rules`
from coordination.entrypoints.cli.app import cli

COMMANDS = (cases, directory, integrity, oversight, projections, server)


def main() -> None:
    cli()


__all__ = ["cli", "main"]
