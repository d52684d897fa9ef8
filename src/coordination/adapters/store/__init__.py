"""Persistence: the event store's recorders and mapper, case keys, the service's own tables."""
