"""Feed projection: each event of a case relates the agencies it names to the case
(`relates()`, as the case itself does), then enters the feed of every agency related."""

from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from coordination.domain.case import CaseOpened, Event
from coordination.domain.catalogue import event_type
from projections.feed.view import FeedView


class FeedProjection(Projection[FeedView]):
    name = "feed"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        if isinstance(domain_event, Event | CaseOpened):  # not the rule book's events
            case_id = str(domain_event.originator_id)
            self.view.related(case_id, domain_event.relates())
            self.view.entered(case_id, domain_event.originator_version,
                              tracking.notification_id, event_type(domain_event))  # fmt: skip
