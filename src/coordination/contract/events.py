"""Events as the contract shows them: in a case's history, in an agency's change feed
and in a webhook's delivery, always in this one shape."""

from typing import Any
from uuid import UUID

from fastapi.encoders import jsonable_encoder

from coordination.domain.case import CaseEvent
from coordination.domain.catalogue import event_data, event_type
from coordination.domain.visibility import View


def event_out(event: CaseEvent, view: View | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": event_type(event),
        "version": event.originator_version,
        "recorded_at": event.timestamp,
        "recorded_by": recorded_by(event),
        "data": event_data(event) if view is None else view.data,
    }
    if view is not None and view.withheld:
        out["withheld"] = sorted(view.withheld)
    encoded: dict[str, Any] = jsonable_encoder(out)
    return encoded


def feed_item_out(position: int, case_id: UUID, event: CaseEvent, view: View) -> dict[str, Any]:
    """An entry of an agency's feed: its number there, its case, the event as seen."""
    return {"position": position, "case_id": str(case_id), **event_out(event, view)}


def recorded_by(event: CaseEvent) -> dict[str, str]:
    """The agency and credential; the person too, when one acted in the web app."""
    by = {"agency": event.recorded_by, "token_label": event.token_label}
    return by | {"user": event.user} if event.user else by
