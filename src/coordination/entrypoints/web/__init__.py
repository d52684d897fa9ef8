"""The web app people in the agencies sign in to: server-rendered pages over the same
use-case services as the HTTP API (no second write path)."""
