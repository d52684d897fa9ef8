"""The web app's pages, each module a router over the same use-case services."""
