"""The event-sourced application: load a case, let it decide, seal and save its events,
answer with the version and store position. The write path every use case shares."""
