"""Agencies' webhooks: registered by an agency's admin, delivered from its change feed."""
