"""Bulk import: an NDJSON file of realistic existing cases, imported as `coordination
import` does it (docs/import.md), in one process and with `--workers 2`; the figures
are events per second, both passes."""

import json
import random
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.data import MUNICIPALITIES, agency_id
from coordination.bootstrap import Services
from coordination.services.importing import file_lines, operator
from coordination.services.importing.parallel import import_in_processes

NATIONALITIES = ["SY", "AF", "UA", "ER", "IQ", "TR"]


class History:
    """Events of one case, each a few hours to days after the one before."""

    def __init__(self, opened_at: datetime, rng: random.Random) -> None:
        self.at, self.rng, self.events = opened_at, rng, list[dict[str, Any]]()

    def add(self, kind: str, agency: str, **data: Any) -> None:
        self.events.append({"type": kind, "recorded_at": self.at.isoformat(),
                            "recorded_by": {"agency": agency, "token_label": "legacy"},
                            "data": data})  # fmt: skip
        self.at += timedelta(hours=self.rng.randrange(2, 200))

    @property
    def day(self) -> str:
        return self.at.date().isoformat()

    def later(self, days: int) -> str:
        return (self.at.date() + timedelta(days=days)).isoformat()


def case_line(n: int, rng: random.Random, now: datetime) -> dict[str, Any]:
    """A closed legacy case of a dozen events, each by the agency that did it: opening
    and consent, referral and course, agreement and milestone, qualification."""
    m = MUNICIPALITIES[n % len(MUNICIPALITIES)]
    lead = agency_id(rng.choice(["abh", "mbe"]), m)
    h = History(now - timedelta(days=rng.randrange(200, 2000)), rng)
    _opening(h, lead, m, f"EV-{n}")
    _referral_and_course(h, lead, agency_id("jobcenter", m), agency_id("vhs", m))
    _agreement_and_qualification(h, lead, agency_id("jobcenter", m), agency_id("vhs", m))
    h.add("CaseClosed", lead, reason="Integration abgeschlossen")
    return {"case_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "events": h.events}


def _opening(h: History, lead: str, m: str, document: str) -> None:
    arrived_on = h.later(-h.rng.randrange(5, 90))
    h.add("CaseOpened", lead, municipality=m, person=_person(h.rng), arrived_on=arrived_on,
          residence_status="aufenthaltserlaubnis")  # fmt: skip
    evidence = {"method": "written", "document_ref": document}
    h.add("ConsentGranted", lead,
          recipients=[agency_id(k, m) for k in ("vhs", "jobcenter", "kommune")],
          purposes=["counselling", "language_course", "case_management"],
          categories=["identity", "contact", "language", "integration_plan"], given_on=h.day,
          valid_until=h.later(730), evidence=evidence)  # fmt: skip


def _referral_and_course(h: History, lead: str, job: str, vhs: str) -> None:
    h.add("ReferralSent", lead, to_agency=job, purpose="counselling",
          categories=["identity", "contact"], note="Beratung zur Arbeitsaufnahme")  # fmt: skip
    h.add("ReferralAccepted", job, referral_id="referral-1")
    h.add("CourseAssigned", lead, course_type="integration_course", provider=vhs,
          target_level="B1", starts_on=h.later(14))  # fmt: skip
    h.add("CourseCompleted", vhs, course_id="course-1", result=h.rng.choice(["A2", "B1", "B2"]),
          completed_on=h.day)  # fmt: skip
    h.add("ReferralCompleted", job, referral_id="referral-1", outcome="in Arbeit vermittelt")


def _agreement_and_qualification(h: History, lead: str, job: str, vhs: str) -> None:
    milestones = [
        {"title": "Integrationskurs begonnen", "due_on": h.later(30), "responsible_agency": vhs},
        {"title": "Bewerbungstraining", "due_on": h.later(120), "responsible_agency": job},
    ]
    h.add("AgreementConcluded", lead, signed_on=h.day, milestones=milestones)
    h.add("MilestoneMet", vhs, agreement_id="agreement-1", milestone_id="milestone-1", met_on=h.day)
    h.add("QualificationRecorded", lead, title="Bachelor Pflege", country="SY", level="bachelor")
    h.add("RecognitionDecided", lead, qualification_id="qualification-1", outcome="partial",
          decided_on=h.day)  # fmt: skip


def _person(rng: random.Random) -> dict[str, Any]:
    # Adults, born 1960 to 2003: their consents need no legal representative.
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 16_000))
    return {"given_name": f"Person {rng.randrange(10**6)}", "family_name": "Legacy",
            "date_of_birth": born.isoformat(), "nationality": rng.choice(NATIONALITIES),
            "languages": ["ar", "de"], "phone": f"+49 341 {rng.randrange(10**6):06d}"}  # fmt: skip


def write_file(path: Path, cases: int, now: datetime, seed: int = 7) -> int:
    """Write `cases` lines; return the number of events in them."""
    rng, events = random.Random(seed), 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(cases):
            line = case_line(n, rng, now)
            events += len(line["events"])
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return events


def bulk_import(svc: Services, cases: int, now: datetime) -> dict[str, Any]:
    """Import a generated file (not timed) as `coordination import` does, both passes
    timed: in this process, then (PostgreSQL only) a second file with `--workers 2`,
    process start included, as the CLI runs it."""
    figures: dict[str, Any] = _timed(svc, cases, now, workers=1)
    if svc.config.dialect == "postgres":  # SQLite has one writer: the CLI refuses workers
        figures["workers_2"] = _timed(svc, cases, now, workers=2)
    return figures


def _timed(svc: Services, cases: int, now: datetime, workers: int) -> dict[str, float]:
    # Another seed for each run: other case ids, or the second would skip them all.
    with tempfile.TemporaryDirectory(prefix="coordination-import-") as tmp:
        path = Path(tmp) / "cases.ndjson"
        write_file(path, cases, now, seed=6 + workers)  # 7, as ever, for one process
        service = svc.importing
        began = time.perf_counter()
        if workers == 1:
            summary = service.run(lambda: file_lines(path), operator())
        else:
            context = service.context(operator())
            summary = import_in_processes(service, svc.import_worker, path, context, workers)
        seconds = time.perf_counter() - began
    return {"cases": summary.imported, "events": summary.events, "seconds": seconds,
            "events_per_s": summary.events / seconds}  # fmt: skip
