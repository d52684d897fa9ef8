"""Writes the stores of this folder with the code of commit 9b78498, before the layers.

Kept to say how the stores were made; it imports that commit's modules and does not run
against the current code. Run from a checkout of 9b78498:

    python tests/data/store_before_layers/make_store.py OUT_DIR POSTGRES_URL

It writes OUT_DIR/store.sqlite, OUT_DIR/store.pgsql (pg_dump of the PostgreSQL schema)
and OUT_DIR/expected.json: every case's state and history as an auditor read them then.
"""

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from coordination.events import event_type
from coordination.importing import ImportedBy, ImportService
from coordination.integrity.service import IntegrityService
from coordination.service import Caller
from coordination.store.directory import Agency, AgencyKind, Principal, Role
from coordination.store.idempotency import IdempotencyRequest
from fastapi.encoders import jsonable_encoder

from coordination.bootstrap import Services, bootstrap
from coordination.settings import Settings
from projections.runner import Follower

MASTER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # bytes(range(32)), the tests' key
SIGNING_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="  # bytes(range(32, 64))
SCHEMA = "store_before_layers"
LEAD, MBE, VHS, DPO = "mbe-caritas-leipzig", "abh-leipzig", "vhs-leipzig", "stadt-leipzig"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now


def caller(svc: Services, agency_id: str, role: Role = Role.CASEWORKER) -> Caller:
    agency = svc.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, role, "t-" + agency_id, f"{agency_id}-{role}"), "req-1")


def every_event_type(svc: Services) -> UUID:
    lead, mbe, vhs = caller(svc, LEAD), caller(svc, MBE), caller(svc, VHS)
    opened = svc.cases.open_case(
        lead,
        {
            "person": {
                "given_name": "Amina",
                "family_name": "Haddad",
                "date_of_birth": date(1994, 3, 2),
                "nationality": "SY",
                "languages": ["ar", "en"],
                "phone": "+49 341 000000",
                "email": "amina@example.org",
            },
            "municipality": "leipzig",
            "arrived_on": date(2026, 8, 14),
            "residence_status": "aufenthaltserlaubnis",
        },
        IdempotencyRequest(LEAD, "open-1", "h-open"),
    )
    case = opened.case_id
    consent = {
        "recipients": [MBE, VHS],
        "purposes": ["counselling", "language_course", "case_management"],
        "categories": ["identity", "contact", "integration_plan", "education", "language"],
        "given_on": date(2026, 9, 1),
        "evidence": {"method": "written", "document_ref": "EV-1", "language": "ar"},
    }
    milestone = {"title": "Kurs begonnen", "due_on": date(2026, 11, 1), "responsible_agency": VHS}
    steps: list[tuple[Caller, str, dict[str, Any]]] = [
        (lead, "ConsentGranted", {**consent, "consent_id": "c-main", "notice_version": "v2"}),
        (
            lead,
            "ConsentGranted",
            {**consent, "consent_id": "c-spare", "valid_until": date(2027, 8, 31)},
        ),
        (
            lead,
            "ConsentWithdrawn",
            {"consent_id": "c-spare", "reason": "duplicate", "withdrawn_on": date(2026, 9, 2)},
        ),
        (
            lead,
            "ReferralSent",
            {
                "to_agency": MBE,
                "purpose": "counselling",
                "categories": ["identity"],
                "note": "Bitte Termin",
                "referral_id": "r-1",
            },
        ),
        (mbe, "ReferralAccepted", {"referral_id": "r-1", "reason": "ok"}),
        (mbe, "ReferralCompleted", {"referral_id": "r-1", "outcome": "advised"}),
        (
            lead,
            "ReferralSent",
            {
                "to_agency": MBE,
                "purpose": "counselling",
                "categories": ["contact"],
                "referral_id": "r-2",
            },
        ),
        (mbe, "ReferralDeclined", {"referral_id": "r-2", "reason": "no capacity"}),
        (
            lead,
            "CourseAssigned",
            {
                "course_type": "integration_course",
                "provider": VHS,
                "target_level": "B1",
                "starts_on": date(2026, 10, 5),
                "course_id": "k-1",
            },
        ),
        (
            vhs,
            "CourseCompleted",
            {"course_id": "k-1", "result": "B1", "completed_on": date(2027, 3, 1)},
        ),
        (
            lead,
            "AgreementConcluded",
            {
                "signed_on": date(2026, 9, 10),
                "agreement_id": "a-1",
                "milestones": [
                    {**milestone, "milestone_id": "m-1"},
                    {**milestone, "milestone_id": "m-2"},
                ],
            },
        ),
        (
            vhs,
            "MilestoneMet",
            {
                "agreement_id": "a-1",
                "milestone_id": "m-1",
                "met_on": date(2026, 10, 30),
                "note": "begonnen",
            },
        ),
        (
            lead,
            "MilestoneRescheduled",
            {
                "agreement_id": "a-1",
                "milestone_id": "m-2",
                "due_on": date(2026, 12, 1),
                "reason": "course moved",
            },
        ),
        (
            lead,
            "QualificationRecorded",
            {
                "title": "Lehrerin",
                "country": "UA",
                "level": "master",
                "obtained_on": date(2015, 6, 30),
                "qualification_id": "q-1",
            },
        ),
        (
            lead,
            "RecognitionDecided",
            {"qualification_id": "q-1", "outcome": "partial", "decided_on": date(2026, 12, 10)},
        ),
        (lead, "CaseTransferred", {"to_agency": MBE, "reason": "moved"}),
        (mbe, "CaseClosed", {"reason": "agreement fulfilled"}),
    ]
    for i, (who, kind, fields) in enumerate(steps):
        idem = IdempotencyRequest(who.agency_id, f"k-{i}", f"h-{i}")
        svc.cases.record_event(who, case, kind, fields, None, idem)
    return case


def long_case(svc: Services) -> UUID:
    """A case of 120 events: the store holds its snapshot at version 100."""
    lead = caller(svc, LEAD)
    case = svc.cases.open_case(
        lead,
        {"person": {"given_name": "Lang", "family_name": "Fall"}, "municipality": "leipzig"},
        None,
    ).case_id
    for n in range(119):
        svc.cases.record_event(
            lead,
            case,
            "QualificationRecorded",
            {"title": f"Zeugnis {n}", "country": "AF"},
            None,
            None,
        )
    return case


def erased_case(svc: Services) -> UUID:
    lead = caller(svc, LEAD)
    case = svc.cases.open_case(
        lead,
        {"person": {"given_name": "Zu", "family_name": "Löschen"}, "municipality": "leipzig"},
        None,
    ).case_id
    svc.cases.record_event(
        lead, case, "QualificationRecorded", {"title": "Abitur", "country": "SY"}, None, None
    )
    svc.erasure.erase(caller(svc, DPO, Role.DPO), case, "Antrag der Person", "Art. 17 (1) a")
    return case


IMPORTED = (
    '{"case_id": "6f1c1c52-3f5e-4c57-9b0e-3a8f5d2e7a10", "events": ['
    '{"type": "CaseOpened", "recorded_at": "2024-03-01T08:30:00+01:00",'
    ' "recorded_by": {"agency": "abh-leipzig", "token_label": "fachverfahren"},'
    ' "data": {"municipality": "leipzig", "person": {"given_name": "Imra", "family_name": "Port"},'
    ' "arrived_on": "2024-02-14"}},'
    '{"type": "ConsentGranted", "recorded_at": "2024-03-01T09:10:00+01:00",'
    ' "recorded_by": {"agency": "abh-leipzig"}, "data": {"recipients": ["mbe-caritas-leipzig"],'
    ' "purposes": ["counselling"], "categories": ["identity", "contact"],'
    ' "given_on": "2024-03-01", "evidence": {"method": "written"}}},'
    '{"type": "ReferralSent", "recorded_at": "2024-03-01T09:15:00+01:00",'
    ' "recorded_by": {"agency": "abh-leipzig"}, "data": {"to_agency": "mbe-caritas-leipzig",'
    ' "purpose": "counselling", "categories": ["identity", "contact"]}}]}\n'
)


def seen_by_auditor(svc: Services, case_id: UUID) -> dict[str, Any]:
    """What `GET /v1/cases/{id}` and its history answered an auditor of Leipzig."""
    auditor = caller(svc, DPO, Role.AUDITOR)
    case, view = svc.cases.read_case(auditor, case_id)
    history = [
        {
            "type": event_type(s.event),
            "version": s.event.originator_version,
            "recorded_by": s.event.recorded_by,
            "data": s.view.data,
        }
        for s in svc.cases.read_history(auditor, case_id)
    ]
    return jsonable_encoder({"version": case.version, "state": view.data, "history": history})


def write(url: str, out: Path) -> dict[str, Any]:
    svc = bootstrap(
        Settings(database_url=url, master_key=MASTER_KEY, signing_key=SIGNING_KEY), Clock()
    )
    try:
        for agency_id, kind in (
            (LEAD, AgencyKind.MIGRATIONSBERATUNG),
            (MBE, AgencyKind.AUSLAENDERBEHOERDE),
            (VHS, AgencyKind.SPRACHKURSTRAEGER),
            (DPO, AgencyKind.KOMMUNE),
        ):
            svc.directory.add_agency(Agency(agency_id, agency_id.title(), kind, "leipzig"))
        cases = {
            "every_event_type": every_event_type(svc),
            "long": long_case(svc),
            "erased": erased_case(svc),
        }
        importer = ImportService(svc.app, svc.directory, svc.access_log)
        by = ImportedBy("operator:cli", "operator", "admin", "import-run-1")
        importer.run(lambda: [IMPORTED.encode()], by)
        cases["imported"] = UUID("6f1c1c52-3f5e-4c57-9b0e-3a8f5d2e7a10")
        for projection in svc.projections:
            Follower(svc.app, projection).catch_up()
        report = IntegrityService(svc.app, svc.settings).verify(None, None)
        assert report.first_failure is None
        return {
            "cases": {
                name: {"case_id": str(case_id), **seen_by_auditor(svc, case_id)}
                for name, case_id in cases.items()
            },
            "events": report.events_checked,
        }
    finally:
        svc.close()


def main() -> None:
    out, pg_url = Path(sys.argv[1]), sys.argv[2]
    out.mkdir(parents=True, exist_ok=True)
    expected = write(f"sqlite:///{out / 'store.sqlite'}", out)
    on_postgres = write(f"{pg_url}?schema={SCHEMA}", out)
    assert {k: v["history"] for k, v in expected["cases"].items() if k != "imported"} == {
        k: v["history"] for k, v in on_postgres["cases"].items() if k != "imported"
    }
    (out / "expected.json").write_text(
        json.dumps({"sqlite": expected, "postgres": on_postgres}, indent=1, ensure_ascii=False)
        + "\n"
    )
    options = ["--no-owner", "--no-privileges", "--inserts", f"--schema={SCHEMA}"]
    dump = subprocess.run(
        ["pg_dump", *options, pg_url], check=True, capture_output=True, text=True
    ).stdout
    (out / "store.pgsql").write_text(dump)


if __name__ == "__main__":
    main()
