"""The topics stored events carry, and the older ones of classes that moved.

A stored event names its class by topic, `module:qualname`. Until the case had a module
per part, its event classes were nested in `Case`, so stores written before then hold
topics such as `coordination.domain.case:Case.ReferralSent`. Each is registered here for
the class that now has that name, so those events decode as they always did; events
recorded since carry the class's own topic. The hash chains cover the topic as stored,
so an old event keeps its old topic for good.
"""

from eventsourcing.utils import get_topic, register_topic

from coordination.domain.catalogue import CATALOGUE

NESTED_IN_CASE = "coordination.domain.case:Case.{}"
# The event types that existed while they were nested in Case.
NESTED_TYPES = (
    "CaseOpened", "ConsentGranted", "ConsentWithdrawn", "ReferralSent", "ReferralAccepted",
    "ReferralDeclined", "ReferralCompleted", "CourseAssigned", "CourseCompleted",
    "AgreementConcluded", "MilestoneMet", "MilestoneRescheduled", "QualificationRecorded",
    "RecognitionDecided", "CaseTransferred", "CaseClosed", "CaseErased",
)  # fmt: skip

for _name in NESTED_TYPES:
    register_topic(NESTED_IN_CASE.format(_name), CATALOGUE[_name].event)


def stored_topics(event_class: type) -> tuple[str, ...]:
    """Every topic events of this class may be stored under (for queries by topic)."""
    topic, name = get_topic(event_class), event_class.__name__
    return (topic, NESTED_IN_CASE.format(name)) if name in NESTED_TYPES else (topic,)
