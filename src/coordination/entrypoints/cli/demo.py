"""Demo data: agencies of Leipzig and Landkreis Mayen-Koblenz and two fictional cases."""

import secrets
from datetime import date, timedelta
from uuid import UUID

import typer

from coordination.adapters.store.directory import Listing
from coordination.bootstrap import Services
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role

K = AgencyKind
AGENCIES = [
    Agency("abh-leipzig", "Ausländerbehörde Leipzig", K.AUSLAENDERBEHOERDE, "leipzig"),
    # The welfare association and the joint job centre are controllers of their own.
    Agency("mbe-caritas-leipzig", "Migrationsberatung Caritas Leipzig",
           K.MIGRATIONSBERATUNG, "leipzig", "caritas-leipzig"),
    Agency("jobcenter-leipzig", "Jobcenter Leipzig", K.JOBCENTER, "leipzig",
           "jobcenter-leipzig"),
    Agency("vhs-leipzig", "Volkshochschule Leipzig", K.SPRACHKURSTRAEGER, "leipzig"),
    Agency("stadt-leipzig", "Stadt Leipzig, Sozialamt", K.KOMMUNE, "leipzig"),
    Agency("abh-mayen-koblenz", "Ausländerbehörde Kreisverwaltung Mayen-Koblenz",
           K.AUSLAENDERBEHOERDE, "mayen-koblenz"),
    Agency("mbe-diakonie-mayen-koblenz", "Migrationsberatung Diakonie Mayen-Koblenz",
           K.MIGRATIONSBERATUNG, "mayen-koblenz"),
    Agency("jobcenter-mayen-koblenz", "Jobcenter Mayen-Koblenz", K.JOBCENTER, "mayen-koblenz",
           "jobcenter-mayen-koblenz"),
]  # fmt: skip
# What the directory shows of them (ADR 0054): offers, and the office's mailbox and phone.
# Mailboxes on .example and numbers beginning with 0000 after the area code reach no one.
LISTINGS = {
    "abh-leipzig": Listing(
        ("Aufenthaltstitel: Erteilung und Verlängerung", "Beschäftigungserlaubnis",
         "Verpflichtung zum Integrationskurs (§ 44a AufenthG)"),
        "auslaenderbehoerde@abh-leipzig.demo.example", "+49 341 0000-3200"),
    "mbe-caritas-leipzig": Listing(
        ("Migrationsberatung für Erwachsene (MBE)", "Begleitung während des Integrationskurses",
         "Beratung zur Anerkennung ausländischer Berufsabschlüsse"),
        "migrationsberatung@mbe-caritas-leipzig.demo.example", "+49 341 0000-5710"),
    "jobcenter-leipzig": Listing(
        ("Bürgergeld (SGB II)", "Arbeitsvermittlung und Beratung",
         "Zuweisung zu Berufssprachkursen (DeuFöV)"),
        "jobcenter-leipzig.integration@jobcenter-leipzig.demo.example", "+49 341 0000-6000"),
    "vhs-leipzig": Listing(
        ("Integrationskurs", "Alphabetisierungskurs", "Berufssprachkurs B2",
         "Einstufungstest"),
        "integrationskurse@vhs-leipzig.demo.example", "+49 341 0000-6030"),
    "stadt-leipzig": Listing(
        ("Leistungen nach dem Asylbewerberleistungsgesetz", "Unterbringung und Wohnen",
         "Kommunales Integrationsmanagement"),
        "sozialamt@stadt-leipzig.demo.example", "+49 341 0000-4500"),
    "abh-mayen-koblenz": Listing(
        ("Aufenthaltstitel: Erteilung und Verlängerung", "Beschäftigungserlaubnis",
         "Verpflichtung zum Integrationskurs (§ 44a AufenthG)"),
        "auslaenderbehoerde@abh-mayen-koblenz.demo.example", "+49 261 0000-4400"),
    "mbe-diakonie-mayen-koblenz": Listing(
        ("Migrationsberatung für Erwachsene (MBE)", "Begleitung während des Integrationskurses",
         "Beratung zu Wohnen, Arbeit und Familiennachzug"),
        "migrationsberatung@mbe-diakonie-mayen-koblenz.demo.example", "+49 261 0000-3160"),
    "jobcenter-mayen-koblenz": Listing(
        ("Bürgergeld (SGB II)", "Arbeitsvermittlung und Beratung",
         "Zuweisung zu Berufssprachkursen (DeuFöV)"),
        "jobcenter-mayen-koblenz@jobcenter-mayen-koblenz.demo.example", "+49 261 0000-4500"),
}  # fmt: skip
EXTRA_ROLES = [
    ("stadt-leipzig", Role.AUDITOR), ("stadt-leipzig", Role.DPO), ("jobcenter-leipzig", Role.DPO),
]  # fmt: skip


def load_demo(svc: Services) -> None:
    if svc.directory.list_agencies():
        typer.echo("the database is not empty: demo data not loaded", err=True)
        raise typer.Exit(1)
    for agency in AGENCIES:
        svc.directory.add_agency(agency, LISTINGS[agency.agency_id])
    case_id = _load_cases(svc)
    typer.echo("Demo tokens (shown once; the database keeps only their hashes):")
    tokens = {}
    for agency_id, role in [(a.agency_id, Role.CASEWORKER) for a in AGENCIES] + EXTRA_ROLES:
        tokens[agency_id, role] = svc.directory.issue_token(
            agency_id, role, f"demo-{role.value}", days=svc.settings.token_days
        )
        typer.echo(f"  {agency_id:28} {role.value:10} {tokens[agency_id, role].token}")
    _add_demo_users(svc, [(a.agency_id, Role.CASEWORKER) for a in AGENCIES] + EXTRA_ROLES)
    reader = tokens["mbe-diakonie-mayen-koblenz", Role.CASEWORKER].token
    typer.echo("Try, as the migration service the referral went to:")
    typer.echo(
        f"  curl -H 'Authorization: Bearer {reader}' http://127.0.0.1:8000/v1/cases/{case_id}"
    )


def _add_demo_users(svc: Services, roles: list[tuple[str, Role]]) -> None:
    """A sign-in per agency and role, sharing one password made for this demo."""
    password = "demo-" + secrets.token_urlsafe(12)
    typer.echo("Demo sign-ins for the web app at http://127.0.0.1:8000/ (password below):")
    for agency_id, role in roles:
        email = f"{role.value}@{agency_id}.demo.example"
        name = f"Demo {role.value} {agency_id}"
        svc.accounts.add(email, agency_id, (role,), name, password)
        typer.echo(f"  {email}")
    typer.echo(f"  password for all of them: {password}")


def _caller(svc: Services, agency_id: str) -> Caller:
    agency = svc.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, Role.CASEWORKER, "demo", "demo-loader"), "demo-loader")


def _load_cases(svc: Services) -> UUID:
    today = date.today()
    abh_mk, mbe_mk = _caller(svc, "abh-mayen-koblenz"), _caller(svc, "mbe-diakonie-mayen-koblenz")
    opened = svc.cases.open_case(abh_mk, {
        "person": {"given_name": "Demo", "family_name": "Person Eins", "nationality": "SY",
                   "languages": ["ar"], "date_of_birth": date(1990, 1, 1)},
        "municipality": "mayen-koblenz", "arrived_on": today - timedelta(days=20),
        "residence_status": "aufenthaltserlaubnis"}, None)  # fmt: skip
    case_mk = opened.case_id
    record = svc.cases.record_event
    record(abh_mk, case_mk, "ConsentGranted", {
        "recipients": [mbe_mk.agency_id], "purposes": ["counselling"],
        "categories": ["identity", "contact"], "given_on": today,
        "evidence": {"method": "written", "language": "ar"}}, None, None)  # fmt: skip
    referral = {"to_agency": mbe_mk.agency_id, "purpose": "counselling",
                "categories": ["identity", "contact"]}  # fmt: skip
    record(abh_mk, case_mk, "ReferralSent", referral, None, None)
    typer.echo(f"Mayen-Koblenz case: {case_mk}")
    _load_leipzig(svc, today)
    return case_mk


def _load_leipzig(svc: Services, today: date) -> None:
    mbe, vhs = _caller(svc, "mbe-caritas-leipzig"), "vhs-leipzig"
    opened = svc.cases.open_case(mbe, {
        "person": {"given_name": "Demo", "family_name": "Person Zwei", "nationality": "AF",
                   "languages": ["fa", "en"]},
        "municipality": "leipzig", "arrived_on": today - timedelta(days=60)}, None)  # fmt: skip
    case = opened.case_id
    record = svc.cases.record_event
    record(mbe, case, "ConsentGranted", {
        "recipients": [vhs], "purposes": ["language_course", "case_management"],
        "categories": ["identity", "contact", "language", "integration_plan"],
        "given_on": today, "valid_until": today + timedelta(days=365),
        "evidence": {"method": "written"}}, None, None)  # fmt: skip
    record(mbe, case, "CourseAssigned", {"course_type": "integration_course", "provider": vhs,
           "target_level": "B1", "starts_on": today + timedelta(days=14)}, None, None)  # fmt: skip
    # Binding both sides: her obligations, followed up by the counselling service, and
    # the agencies' offers; signed in Persian, a copy handed over.
    record(mbe, case, "AgreementConcluded", {
        "signed_on": today, "parties": [vhs], "agreement_id": "vereinbarung-1",
        "brings": {"language_level": "A1", "summary": "Dari, Englisch; Lehrerin, 8 Jahre"},
        "needs": ["language_course", "recognition", "childcare"], "milestones": [
            {"title": "Integrationskurs besuchen", "due_on": today + timedelta(days=90),
             "responsible_agency": mbe.agency_id, "owner": "person", "area": "language"},
            {"title": "Kursplatz bereitstellen", "due_on": today + timedelta(days=30),
             "responsible_agency": vhs, "owner": "agency", "area": "language"},
            {"title": "Anerkennungsberatung besuchen", "due_on": today + timedelta(days=60),
             "responsible_agency": mbe.agency_id, "owner": "person", "area": "work"}]},
        None, None)  # fmt: skip
    record(mbe, case, "AgreementAcknowledged", {"agreement_id": "vereinbarung-1",
           "signed_on": today, "language": "fa", "copy_handed_over": True}, None, None)  # fmt: skip
    typer.echo(f"Leipzig case: {case}")
