"""The person index: keyed encodings of each case's person, for search (ADR 0047)."""
