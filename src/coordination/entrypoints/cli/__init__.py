"""The `coordination` command."""
