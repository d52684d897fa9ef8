"""Tamper evidence for the event store: hash chains, signed checkpoints, audit bundles.

`chain` holds the hashing (pure, standard library only) that the recorders, the
verifier and the offline bundle checker share; see docs/integrity.md for the format.
"""
