"""The printed papers the tests read: a consent declaration, a disclosure report and an
integration agreement of Amina Haddad's case in Mayen-Koblenz, with the agencies as the
directory lists them. Mailboxes on .example and numbers with 0000 after the area code
reach no one."""

import io
from datetime import UTC, date, datetime
from uuid import UUID

from pypdf import PdfReader

from coordination.adapters.reports.agencies import AgencyContact
from coordination.adapters.reports.agreement import AgreementPaper, Step
from coordination.adapters.reports.consent_form import ConsentPaper
from coordination.domain.disclosure import (
    AgencyRef,
    DisclosureReport,
    Inspection,
    PersonName,
    ReadSummary,
    Received,
    ReportConsent,
)

ABH, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
VHS, KREIS = "vhs-mayen-koblenz", "kreis-mayen-koblenz"
AGENCIES = {
    ABH: AgencyContact("Ausländerbehörde Mayen-Koblenz",
                       "auslaenderbehoerde@kreis-myk.example", "+49 261 0000-4400"),
    MBE: AgencyContact("Migrationsberatung Diakonie Mayen-Koblenz",
                       "migrationsberatung@mbe-diakonie.example", "+49 261 0000-3160"),
    VHS: AgencyContact("Volkshochschule Mayen-Koblenz", "integrationskurse@vhs-myk.example"),
    KREIS: AgencyContact("Kreisverwaltung Mayen-Koblenz, Rechnungsprüfung"),
}  # fmt: skip
# Named in the agreement only: the disclosure report names every agency above.
JOBCENTER = AgencyContact("Jobcenter Mayen-Koblenz", "jobcenter-mayen-koblenz@jobcenter.example",
                          "+49 261 0000-2200")  # fmt: skip
AT = datetime(2026, 9, 1, 7, 30, tzinfo=UTC)

CONSENT = ConsentPaper(
    case_id="c-2025-0042",
    person_name="Amina Haddad",
    date_of_birth=date(1990, 1, 1),
    obtained_by=AGENCIES[ABH],
    recipients=[AGENCIES[MBE], AGENCIES[VHS]],
    purposes=["counselling", "language_course"],
    categories=["identity", "contact"],
    given_on=date(2025, 3, 1),
    valid_until=date(2027, 8, 31),
    legal_representative=None,
    prepared_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    document_ref="ABH-2025-117",
)

# Concluded by the counselling service with the course provider and the job centre; one of
# her steps met, one followed up by the foreigners authority, which does not sign.
AGREEMENT = AgreementPaper(
    case_id="c-2025-0042",
    person_name="Amina Haddad",
    date_of_birth=date(1990, 1, 1),
    concluded_by=AGENCIES[MBE],
    parties=[AGENCIES[VHS], JOBCENTER],
    signed_on=date(2026, 9, 15),
    language_level="A2",
    brings="Arabisch, Englisch; Krankenpflegerin, 6 Jahre Berufserfahrung in Aleppo",
    needs=["language_course", "recognition", "childcare"],
    commitments=[
        Step("Unterlagen für die Anerkennung einreichen", date(2026, 10, 1), "work",
             AGENCIES[MBE], met_on=date(2026, 9, 28)),
        Step("Termin zur Verlängerung des Aufenthaltstitels wahrnehmen", date(2026, 10, 20),
             None, AGENCIES[ABH]),
        Step("Integrationskurs besuchen", date(2026, 11, 1), "language", AGENCIES[MBE]),
    ],
    offers=[
        Step("Beratung zur Anerkennung des Pflegeabschlusses", date(2026, 10, 15), "work",
             AGENCIES[MBE]),
        Step("Platz im Integrationskurs anbieten", date(2026, 10, 1), "language", AGENCIES[VHS]),
        Step("Kita-Platz vermitteln", date(2026, 10, 15), "education", JOBCENTER),
    ],
    next_review_on=date(2026, 12, 1),
    ended_on=None,
    prepared_at=datetime(2026, 9, 15, 9, 30, tzinfo=UTC),
)  # fmt: skip

REPORT = DisclosureReport(
    case_id=UUID("3f2b8c1e-5d4a-4b6e-9f0a-1c2d3e4f5a6b"),
    generated_at=datetime(2026, 9, 3, 10, 0, tzinfo=UTC),
    requested_by=ABH,
    requested_as="lead",
    person=PersonName("Amina", "Haddad"),
    agencies=[AgencyRef(MBE, "Mbe-Diakonie", "migrationsberatung"),
              AgencyRef(VHS, "Vhs", "sprachkurstraeger"),
              AgencyRef(KREIS, "Kreis", "kommune")],  # the directory's names win
    received=[
        Received(AT, MBE, ABH, "ReferralSent", "counselling", ["identity", "contact"],
                 ["consent-1"], []),
        Received(AT, VHS, ABH, "CourseAssigned", "language_course", ["identity"],
                 ["consent-2"], []),
    ],
    read=[ReadSummary(MBE, "identity", "consent-1", ["counselling"], AT, AT, 3)],
    inspections=[Inspection(KREIS, "auditor", AT, AT, 1)],
    consents=[
        ReportConsent("consent-1", "withdrawn", [MBE], ["counselling"], ["identity", "contact"],
                      date(2026, 9, 1), None, AT, datetime(2026, 9, 2, 8, 0, tzinfo=UTC), None),
        ReportConsent("consent-2", "active", [VHS], ["language_course"], ["identity"],
                      date(2026, 9, 1), date(2027, 8, 31), AT, None, None),
    ],
    emergency_accesses=[],
)  # fmt: skip


def pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def squeezed(text: str) -> str:
    """Without white space, so sentences wrapped across lines still match."""
    return "".join(text.split())
