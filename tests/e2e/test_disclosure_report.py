"""The disclosure report for the person (Art. 15 GDPR): as JSON and as a PDF in German
and beside it in the person's language, naming every agency that received, read or
holds a consent by its name, and in the printed copy how to reach it."""

import io
from typing import Any
from uuid import UUID

import pytest
from pypdf import PdfReader

from coordination.adapters.reports.agencies import AgencyContact
from coordination.adapters.reports.labels import Language
from coordination.adapters.reports.pdf import render_report
from coordination.adapters.store.directory import Listing
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role
from tests.e2e.conftest import Api
from tests.support import FakeClock

ABH, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
VHS, JMD = "vhs-mayen-koblenz", "jmd-mayen-koblenz"
DISTRICT = "kreis-mayen-koblenz"


def consent(response: Any) -> str:
    assert response.status_code == 201, response.text
    consent_id: str = response.json()["event"]["data"]["consent_id"]
    return consent_id


@pytest.fixture
def story(api: Api, clock: FakeClock) -> tuple[str, list[str]]:
    """Consents to three agencies; two receive data and read it; one is withdrawn."""
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    api.agency(VHS, AgencyKind.SPRACHKURSTRAEGER)
    api.agency(JMD, AgencyKind.JUGENDMIGRATIONSDIENST)
    case_id = api.open_case(ABH)
    consents = [
        consent(api.grant(ABH, case_id, MBE, ["counselling"], ["identity", "contact"])),
        consent(api.grant(ABH, case_id, VHS, ["language_course"], ["identity", "contact"],
                          valid_until="2027-08-31")),
        consent(api.grant(ABH, case_id, JMD, ["counselling"], ["contact"])),
    ]  # fmt: skip
    clock.advance(hours=1)
    api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
             categories=["identity", "contact"])  # fmt: skip
    api.post(ABH, case_id, type="CourseAssigned", course_type="integration_course", provider=VHS)
    api.as_(MBE, "GET", f"/v1/cases/{case_id}")
    api.as_(VHS, "GET", f"/v1/cases/{case_id}/history")
    clock.advance(days=2)
    api.post(ABH, case_id, type="ConsentWithdrawn", consent_id=consents[0])
    return case_id, consents


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(page.extract_text() for page in pages)


def squeezed(text: str) -> str:
    """Without white space, so ids wrapped across table lines still match."""
    return "".join(text.split())


def test_the_lead_agency_gets_the_person_s_copy_with_the_name(
    api: Api, story: tuple[str, list[str]]
) -> None:
    case_id, consents = story
    report = api.as_(ABH, "GET", f"/v1/cases/{case_id}/disclosure-report").json()

    assert report["person"] == {"given_name": "Amina", "family_name": "Haddad"}
    assert [(r["agency"], r["purpose"], r["consents"]) for r in report["received"]] == [
        (MBE, "counselling", [consents[0]]),
        (VHS, "language_course", [consents[1]]),
    ]
    assert {(r["agency"], r["category"], r["consent_id"]) for r in report["read"]} >= {
        (MBE, "identity", consents[0]),
        (VHS, "contact", consents[1]),
    }
    assert [(c["consent_id"], c["status"]) for c in report["consents"]] == [
        (consents[0], "withdrawn"),
        (consents[1], "active"),
        (consents[2], "active"),
    ]
    assert {a["agency_id"] for a in report["agencies"]} == {MBE, VHS, JMD}


def test_the_dpo_s_copy_carries_no_name(api: Api, story: tuple[str, list[str]]) -> None:
    case_id, _ = story
    dpo = api.agency(DISTRICT, role=Role.DPO)
    response = api.as_(dpo, "GET", f"/v1/cases/{case_id}/disclosure-report")
    pdf = api.as_(dpo, "GET", f"/v1/cases/{case_id}/disclosure-report", params={"format": "pdf"})

    assert response.json()["person"] is None
    assert response.json()["requested_as"] == "dpo"
    for text in (response.text, pdf_text(pdf.content)):
        assert "Haddad" not in text
        assert "Amina" not in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("de", ["Weitergaben", "Ihre Einwilligungen", "widerrufen", "Identität"]),
        ("en", ["Information", "Disclosures", "Your consents", "withdrawn", "identity"]),
        ("ar", ["معلومات", "موافقاتك", "مسحوبة", "الهوية"]),
    ],
)
def test_the_pdf_names_every_recipient_agency_and_every_consent(
    api: Api, story: tuple[str, list[str]], lang: str, words: list[str]
) -> None:
    case_id, consents = story
    response = api.as_(ABH, "GET", f"/v1/cases/{case_id}/disclosure-report",
                       params={"lang": lang}, headers={"Accept": "application/pdf"})  # fmt: skip

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    names = [agency.title() for agency in (MBE, VHS, JMD)]  # as tests/support names them
    for needle in [*names, *consents, "Amina Haddad", case_id, "Auskunft", *words]:
        assert squeezed(needle) in squeezed(text), needle
    assert MBE not in text
    # German is the binding version: the document is titled in German, whatever follows.
    assert PdfReader(io.BytesIO(response.content)).metadata.title.startswith("Auskunft")


def test_a_name_in_any_latin_script_prints_as_written(api: Api) -> None:
    api.agency(ABH)
    family_name = "Yılmaz-Łęcka"  # noqa: RUF001 (the Turkish dotless i, on purpose)
    case_id = api.open_case(ABH, person={"given_name": "Şükrü", "family_name": family_name})
    response = api.as_(ABH, "GET", f"/v1/cases/{case_id}/disclosure-report",
                       params={"format": "pdf"})  # fmt: skip
    assert f"Şükrü {family_name}" in pdf_text(response.content)


def test_a_lead_that_took_the_case_over_reads_the_name_only_under_consent(
    api: Api, story: tuple[str, list[str]]
) -> None:
    case_id, _ = story
    transfer_consent = consent(api.grant(ABH, case_id, MBE, ["case_management"], ["identity"]))
    assert api.post(ABH, case_id, type="CaseTransferred", to_agency=MBE).status_code == 201

    named = api.as_(MBE, "GET", f"/v1/cases/{case_id}/disclosure-report").json()
    api.post(MBE, case_id, type="ConsentWithdrawn", consent_id=transfer_consent)
    unnamed = api.as_(MBE, "GET", f"/v1/cases/{case_id}/disclosure-report").json()

    assert named["person"]["family_name"] == "Haddad"
    assert unnamed["person"] is None
    reads = [(e.categories, e.basis) for e in api.services.access_log.for_case(case_id)
             if e.agency_id == MBE and e.action == "read" and "role" not in e.basis]  # fmt: skip
    assert reads[-1] == (["identity"], {"identity": transfer_consent})


def test_the_report_of_an_erased_case_carries_no_name(
    api: Api, story: tuple[str, list[str]]
) -> None:
    case_id, _ = story
    dpo = api.agency("datenschutz-mk", role=Role.DPO)
    body = {"reason": "person asked", "legal_basis": "Art. 17 GDPR"}
    assert api.as_(dpo, "POST", f"/v1/cases/{case_id}/erasure", json=body).status_code == 201
    report = api.as_(ABH, "GET", f"/v1/cases/{case_id}/disclosure-report")
    assert report.status_code == 200, report.text
    assert report.json()["person"] is None
    assert "Haddad" not in report.text


def test_the_printed_copy_has_each_agency_s_contact_and_the_person_s_languages(
    api: Api, story: tuple[str, list[str]]
) -> None:
    case_id, _ = story
    api.services.directory.add_agency(
        Agency("caritas-mk", "Caritas Mayen-Koblenz", AgencyKind.MIGRATIONSBERATUNG,
               "mayen-koblenz"),
        Listing((), "beratung@caritas-mk.example", "+49 261 0000-1234"),
    )  # fmt: skip
    api.grant(ABH, case_id, "caritas-mk", ["counselling"], ["contact"])
    oversight = api.services.oversight

    lead = oversight.disclosure_paper(_caller(api, ABH, Role.CASEWORKER), UUID(case_id))
    dpo = oversight.disclosure_paper(_caller(api, DISTRICT, Role.DPO), UUID(case_id))

    assert lead.agencies["caritas-mk"] == AgencyContact(
        "Caritas Mayen-Koblenz", "beratung@caritas-mk.example", "+49 261 0000-1234"
    )
    assert lead.agencies[ABH].name == "Abh-Mayen-Koblenz"  # who prepared it, named too
    assert lead.person_languages == ["ar", "en"]  # identity, read with the name
    assert dpo.report.person is None
    assert dpo.person_languages == []  # a DPO's copy carries nothing of the person
    pdf = pdf_text(render_report(lead.report, Language.AR, lead.agencies))
    assert squeezed("beratung@caritas-mk.example") in squeezed(pdf)


def _caller(api: Api, agency_id: str, role: Role) -> Caller:
    api.agency(agency_id, role=role)
    agency = api.services.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, role, "t", f"{agency_id}-{role.value}"), "test")
