"""What a data-protection officer sees of a case: the steps of their controller's
processing (ADR 0042), those in which one of its agencies sent, received, read or
recorded. The lead agency oversees the whole case and sees every step."""

from collections.abc import Iterable
from dataclasses import replace

from coordination.adapters.store.access_log import AccessEntry
from coordination.domain.case import CaseEvent
from coordination.domain.trail import (
    ConsentStory,
    ConsentTrail,
    Disclosure,
    EmergencyStory,
    flows_of,
)
from coordination.services.controllers import Processing
from coordination.services.oversight.trail import TrailDocument


def story_is_of(story: ConsentStory, part: Processing) -> bool:
    withdrawn = story.withdrawn.agency if story.withdrawn else None
    return part.touches(
        story.obtained_by, story.granted.agency, withdrawn, *story.consent.recipients,
        *(story.consent.disclosers or ()),
    )  # fmt: skip


def _disclosure_is_of(disclosure: Disclosure, part: Processing) -> bool:
    return part.touches(disclosure.sender, disclosure.recipient)


def _emergency_is_of(story: EmergencyStory, part: Processing) -> bool:
    return part.touches(story.opened.agency, story.ended.agency if story.ended else None)


def trail_of(trail: ConsentTrail, part: Processing) -> ConsentTrail:
    """The trail with only the part's consents, disclosures and emergency accesses; the
    ledger stays whole, since a consent's status does not depend on who looks."""
    stories = {
        consent_id: replace_story(story, part)
        for consent_id, story in trail.stories.items() if story_is_of(story, part)
    }  # fmt: skip
    return ConsentTrail(
        stories=stories,
        emergencies={
            access_id: story
            for access_id, story in trail.emergencies.items()
            if _emergency_is_of(story, part)
        },
        disclosures=[d for d in trail.disclosures if _disclosure_is_of(d, part)],
        ledger=trail.ledger,
    )


def replace_story(story: ConsentStory, part: Processing) -> ConsentStory:
    kept = [d for d in story.disclosures if _disclosure_is_of(d, part)]
    return replace(story, disclosures=kept)


def entries_of(entries: Iterable[AccessEntry], part: Processing) -> list[AccessEntry]:
    return [e for e in entries if part.touches(e.agency_id)]


def document_of(document: TrailDocument, part: Processing) -> TrailDocument:
    """The current-access matrix limited to the part's agencies."""
    access = document.current_access
    rows = [row for row in access.agencies if part.touches(row.agency)]
    return replace(document, current_access=replace(access, agencies=rows))


def events_of(
    events: Iterable[CaseEvent], trail: ConsentTrail, part: Processing
) -> list[CaseEvent]:
    """The events of the part, for a DPO's metadata read of a history: those its agencies
    recorded or received, and those of the consents that are its."""
    consents = _consent_ids(trail, part)
    return [
        e for e in events
        if part.touches(e.recorded_by, *(f.recipient for f in flows_of(e)))
        or getattr(e, "consent_id", None) in consents
    ]  # fmt: skip


def consents_of(
    consents: list[dict[str, object]], trail: ConsentTrail, part: Processing
) -> list[dict[str, object]]:
    """The case's consents, as a DPO's metadata read of the case lists them: the part's."""
    mine = _consent_ids(trail, part)
    return [c for c in consents if c["consent_id"] in mine]


def _consent_ids(trail: ConsentTrail, part: Processing) -> set[str]:
    return {c for c, story in trail.stories.items() if story_is_of(story, part)}
