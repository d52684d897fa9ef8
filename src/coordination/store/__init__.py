"""Persistence: the event store configuration and the service's own tables."""
