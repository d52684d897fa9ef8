"""The `coordination` command: each module registers its subcommands on `cli`."""

from coordination.entrypoints.cli import cases, directory, integrity, projections, server
from coordination.entrypoints.cli.app import cli

COMMANDS = (cases, directory, integrity, projections, server)


def main() -> None:
    cli()


__all__ = ["cli", "main"]
