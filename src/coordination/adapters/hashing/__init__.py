"""Tamper evidence: hash chains over the stored events, signed checkpoints, offline
audit bundles and their verification. Pure apart from the signing key's file."""
