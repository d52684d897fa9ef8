"""The use cases, as callers see them: one method per action, for the HTTP API, the
command line and the web app alike. Idempotency, read filtering and the access log
are applied here."""
