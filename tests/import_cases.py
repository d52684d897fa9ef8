"""NDJSON lines for the import tests: one legacy case and its history per line."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from coordination.bootstrap import Services
from coordination.services.importing import ImportService
from coordination.services.importing.imported_by import ImportedBy
from tests.people import PERSON
from tests.support import add_agency

ABH, MBE = "abh-leipzig", "mbe-leipzig"
START = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def event(kind: str, agency: str, hours: int, **data: Any) -> dict[str, Any]:
    at = (START + timedelta(hours=hours)).isoformat()
    by = {"agency": agency, "token_label": "fachverfahren"}
    return {"type": kind, "recorded_at": at, "recorded_by": by, "data": data}


def opening(person: dict[str, Any] | None = None) -> dict[str, Any]:
    return event("CaseOpened", ABH, 0, municipality="leipzig", person=person or PERSON,
                 arrived_on="2025-02-14", residence_status="aufenthaltserlaubnis")  # fmt: skip


def consent(hours: int = 1) -> dict[str, Any]:
    return event("ConsentGranted", ABH, hours, recipients=[MBE], purposes=["counselling"],
                 categories=["identity", "contact"], given_on="2025-03-01",
                 evidence={"method": "written"})  # fmt: skip


def referral(hours: int = 2) -> dict[str, Any]:
    return event("ReferralSent", ABH, hours, to_agency=MBE, purpose="counselling",
                 categories=["identity", "contact"], note="Beratung gewünscht")  # fmt: skip


def story(person: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Opened, consent, referral, accepted: four events that keep every rule."""
    accepted = event("ReferralAccepted", MBE, 3, referral_id="referral-1")
    return [opening(person), consent(), referral(), accepted]


def line(events: list[dict[str, Any]], case_id: UUID | None = None) -> bytes:
    return json.dumps({"case_id": str(case_id or uuid4()), "events": events}).encode()


def ndjson(*lines: bytes) -> bytes:
    return b"\n".join(lines) + b"\n"


BY = ImportedBy("kommune-leipzig", "migration-2025", "admin", "request-1")


def importer_for(services: Services) -> ImportService:
    """An importer on `services`, with the two agencies the stories are told by."""
    add_agency(services, ABH)
    add_agency(services, MBE)
    return ImportService(services.app, services.directory, services.access_log)
