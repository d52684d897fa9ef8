"""Which snapshots a save is due, and taking them without a reload where possible.

The library snapshots every event whose version is a multiple of the interval by
reloading the aggregate at that version after the save. A request's save holds
the case in memory at exactly that version, so that snapshot is taken from it.
"""

from collections.abc import Iterator, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate


def due(
    processing_event: ProcessingEvent[UUID], intervals: Mapping[type[Any], int]
) -> Iterator[tuple[Aggregate, int]]:
    """(aggregate as saved, version to snapshot) for each snapshot the save is due."""
    for event in processing_event.events:
        aggregate = processing_event.aggregates.get(event.originator_id)
        interval = intervals.get(type(aggregate))
        if (
            isinstance(aggregate, Aggregate)
            and interval
            and event.originator_version % interval == 0
        ):
            yield aggregate, event.originator_version


def take(aggregate: Aggregate) -> Any:
    return type(aggregate).Snapshot.take(aggregate)
