"""HTTP API v1: a thin translation between the contract and the service."""
