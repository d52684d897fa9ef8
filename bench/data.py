"""Realistic generated data: municipalities, agencies, cases and the ingest workload."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from coordination.adapters.store.directory import Directory
from coordination.application.app import CoordinationApplication
from coordination.domain.case import Case
from coordination.domain.identity import Actor, Agency, AgencyKind

MUNICIPALITIES = [
    "leipzig", "dresden", "chemnitz", "mayen-koblenz", "koeln",
    "duisburg", "nuernberg", "kassel", "rostock", "freiburg",
]  # fmt: skip
# Five agencies per municipality: 10 x 5 = the 50 agencies of the caseload target.
KINDS = {
    "abh": AgencyKind.AUSLAENDERBEHOERDE, "mbe": AgencyKind.MIGRATIONSBERATUNG,
    "jobcenter": AgencyKind.JOBCENTER, "vhs": AgencyKind.SPRACHKURSTRAEGER,
    "kommune": AgencyKind.KOMMUNE,
}  # fmt: skip
BATCH = 200  # cases per transaction when generating: keeps generation out of the way


def agency_id(kind: str, municipality: str) -> str:
    return f"{kind}-{municipality}"


def all_agencies() -> list[str]:
    return [agency_id(k, m) for m in MUNICIPALITIES for k in KINDS]


def register_agencies(directory: Directory) -> None:
    for m in MUNICIPALITIES:
        for kind, agency_kind in KINDS.items():
            if directory.get_agency(agency_id(kind, m)) is None:
                name = f"{kind} {m}".title()
                directory.add_agency(Agency(agency_id(kind, m), name, agency_kind, m))


def _lead(municipality: str, rng: random.Random) -> str:
    # Foreigners' offices and migration counselling open most cases.
    return agency_id(rng.choice(["abh", "mbe"]), municipality)


GIVEN = (
    "Amina",
    "Mohammed",
    "Fatima",
    "Ahmad",
    "Olena",
    "Oleksandr",
    "Zahra",
    "Ali",
    "Mariam",
    "Yusuf",
    "Hana",
    "Omar",
    "Leyla",
    "Dawit",
    "Sara",
    "Ibrahim",
    "Nour",
    "Mustafa",
    "Iryna",
    "Hassan",
    "Aisha",
    "Khaled",
    "Rania",
    "Samir",
    "Yara",
)
FAMILY = (
    "Haddad",
    "Al-Hassan",
    "Rahimi",
    "Kovalenko",
    "Tesfaye",
    "Yilmaz",
    "Hosseini",
    "Shevchenko",
    "Mahmoud",
    "Abdi",
    "Demir",
    "Karimi",
    "Bondarenko",
    "Nasser",
    "Osman",
    "Sultani",
    "Melnyk",
    "Aziz",
    "Kaya",
    "Haile",
    "Saleh",
    "Nazari",
    "Tkachenko",
    "Jaber",
    "Ahmadi",
)


def person(rng: random.Random) -> dict[str, Any]:
    """A person as a case records her: names drawn from common ones, born on any day of
    sixty years, so a blocking key of the person index holds a handful of cases."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    return {"given_name": rng.choice(GIVEN), "family_name": rng.choice(FAMILY),
            "nationality": rng.choice(["SY", "AF", "UA", "ER", "IQ", "TR"]),
            "languages": ["ar"], "date_of_birth": born}  # fmt: skip


def build_case(municipality: str, lead: str, now: datetime, rng: random.Random) -> Case:
    """A case as it looks a few weeks in: consent, referral, course, agreement."""
    today = now.date()
    by = Actor(lead, "bench")
    vhs, job = agency_id("vhs", municipality), agency_id("jobcenter", municipality)
    case = Case.open(by, now, municipality=municipality, person=person(rng),
                     arrived_on=today - timedelta(days=rng.randrange(10, 400)),
                     residence_status="aufenthaltserlaubnis")  # fmt: skip
    case.grant_consent(
        by, now, recipients=[vhs, job, agency_id("kommune", municipality)],
        purposes=["counselling", "language_course", "case_management"],
        categories=["identity", "contact", "language", "integration_plan"], given_on=today,
        valid_until=today + timedelta(days=rng.randrange(5, 365)), evidence={"method": "written"},
    )  # fmt: skip
    case.send_referral(by, now, to_agency=job, purpose="counselling",
                       categories=["identity", "contact"])  # fmt: skip
    case.assign_course(by, now, course_type="integration_course", provider=vhs,
                       target_level="B1", starts_on=today + timedelta(days=14))  # fmt: skip
    due = today + timedelta(days=rng.randrange(-30, 90))  # some milestones are overdue
    milestone = {"title": "Integrationskurs begonnen", "due_on": due, "responsible_agency": vhs}
    case.conclude_agreement(by, now, signed_on=today, milestones=[milestone])
    return case


def generate_cases(
    app: CoordinationApplication, count: int, rng: random.Random, now: datetime
) -> list[tuple[UUID, str, str]]:
    """Save `count` cases in batches; return (case id, municipality, lead) of each."""
    made: list[tuple[UUID, str, str]] = []
    batch: list[Case] = []
    for i in range(count):
        municipality = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        lead = _lead(municipality, rng)
        batch.append(build_case(municipality, lead, now, rng))
        made.append((batch[-1].id, municipality, lead))
        if len(batch) == BATCH:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)
    return made


def long_case(app: CoordinationApplication, events: int, now: datetime) -> UUID:
    """One case with `events` events: referrals and courses, each checked against consent."""
    rng = random.Random(1)
    municipality = MUNICIPALITIES[0]
    lead = agency_id("mbe", municipality)
    case = build_case(municipality, lead, now, rng)
    by = Actor(lead, "bench")
    while case.version < events:
        payload = ingest_payload(case.version, municipality, now.date())
        kind = payload.pop("type")
        getattr(case, _METHOD[kind])(by, now, **payload)
    app.save(case)
    return case.id


_METHOD = {"ReferralSent": "send_referral", "CourseAssigned": "assign_course",
           "ConsentGranted": "grant_consent"}  # fmt: skip


def ingest_payload(n: int, municipality: str, today: date) -> dict[str, Any]:
    """The n-th event of the ingest mix: referrals and courses (both checked against the
    case's consents) and now and then a further consent. Dates as `date` objects."""
    kommune, vhs = agency_id("kommune", municipality), agency_id("vhs", municipality)
    match n % 5:
        case 0 | 3:
            to = agency_id("jobcenter", municipality) if n % 5 == 0 else kommune
            return {"type": "ReferralSent", "to_agency": to, "purpose": "counselling",
                    "categories": ["identity", "contact"]}  # fmt: skip
        case 1 | 4:
            return {"type": "CourseAssigned", "course_type": "integration_course",
                    "provider": vhs, "target_level": "B1"}  # fmt: skip
        case _:
            return {"type": "ConsentGranted", "recipients": [kommune],
                    "purposes": ["case_management"], "categories": ["identity", "integration_plan"],
                    "given_on": today, "evidence": {"method": "written"}}  # fmt: skip


EVENTS_PER_CASE = 10  # per ingest run: a case a few months in, whatever the client count


@dataclass(frozen=True)
class Workload:
    """Per client, the (case, event) pairs it sends; clients never share a case, so the
    figure is throughput, not contention on one aggregate."""

    lead: str
    per_client: list[list[tuple[UUID, dict[str, Any]]]]

    @property
    def events(self) -> int:
        return sum(len(c) for c in self.per_client)


def workload(
    app: CoordinationApplication, clients: int, events: int, now: datetime, seed: int
) -> Workload:
    """Fresh cases, about ten events each, for every client count alike: cases that grew
    longer for fewer clients would make the runs load more and compare unequally."""
    rng = random.Random(seed)
    municipality = MUNICIPALITIES[seed % len(MUNICIPALITIES)]
    lead = agency_id("mbe", municipality)
    per_client_cases = max(1, events // EVENTS_PER_CASE // clients)
    cases = [build_case(municipality, lead, now, rng) for _ in range(clients * per_client_cases)]
    for i in range(0, len(cases), BATCH):
        app.save(*cases[i : i + BATCH])
    per_client: list[list[tuple[UUID, dict[str, Any]]]] = [[] for _ in range(clients)]
    for n in range(events):
        client, round_ = n % clients, n // clients
        case = cases[client * per_client_cases + round_ % per_client_cases]
        per_client[client].append((case.id, ingest_payload(n, municipality, now.date())))
    return Workload(lead, per_client)
