"""`python -m coordination.entrypoints.cli`: the `coordination` command."""

from coordination.entrypoints.cli.main import main

main()
