"""The integration agreement printed to sign (GET …/agreements/{id}/paper), on both stores:
in German and the person's language, for an agency that may read the case's plan; refused
as a read of the case is to an agency without a consent for it; 404 for an agreement the
case does not hold. Cancelled steps and health-related needs are not printed. The web
app's case page links each agreement's paper."""

import io
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from coordination.adapters.store.directory import Listing
from coordination.bootstrap import Services
from coordination.domain.identity import Agency, AgencyKind, Role
from tests.e2e.conftest import Api
from tests.e2e.web import PASSWORD, sign_in
from tests.papers import squeezed

ABH, MBE = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
JOBCENTER, VHS = "jobcenter-mayen-koblenz", "vhs-mayen-koblenz"
UNRELATED = "kommune-andernach"
HEALTH = "Rückenschmerzen nach einer Verletzung"


@pytest.fixture
def case(api: Api) -> tuple[str, str]:
    """Amina Haddad's case (she reads Arabic): the counselling service concluded an
    agreement with her and the job centre, which reads the plan under her consent; the
    course provider holds a consent for her name only. One of her steps is met, one of the
    counselling service's offers cancelled, and her health-related needs recorded apart."""
    api.services.directory.add_agency(
        Agency(MBE, "Migrationsberatung Diakonie Mayen-Koblenz", AgencyKind.MIGRATIONSBERATUNG,
               "mayen-koblenz"),
        Listing((), "migrationsberatung@mbe-diakonie.example", "+49 261 0000-3160"),
    )  # fmt: skip
    api.agency(MBE, AgencyKind.MIGRATIONSBERATUNG)
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(JOBCENTER, AgencyKind.JOBCENTER)
    api.agency(VHS, AgencyKind.SPRACHKURSTRAEGER)
    api.agency(UNRELATED, AgencyKind.KOMMUNE)
    case_id = api.open_case(ABH)
    for recipient, purposes, categories in (
        (MBE, ["counselling"], ["identity", "contact"]),
        (JOBCENTER, ["case_management"], ["identity", "integration_plan"]),
        (VHS, ["language_course"], ["identity", "contact"]),
    ):
        created(api.grant(ABH, case_id, recipient, purposes, categories))
    concluded = created(api.post(
        MBE, case_id, type="AgreementConcluded", signed_on="2026-09-15", parties=[JOBCENTER],
        brings={"language_level": "A2", "summary": "Arabisch, Englisch; Krankenpflegerin"},
        needs=["language_course", "childcare"],
        milestones=[
            step("Integrationskurs besuchen", "2026-11-01", MBE, "person", "language"),
            step("Beim Jobcenter melden", "2026-10-01", JOBCENTER, "person", "work"),
            step("Kita-Platz vermitteln", "2026-10-15", JOBCENTER, "agency", "education"),
            step("Anerkennung beraten", "2026-10-20", MBE, "agency", "work"),
        ],
    ))  # fmt: skip
    agreement_id: str = concluded["event"]["data"]["agreement_id"]
    ids = {m["title"]: m["milestone_id"] for m in concluded["event"]["data"]["milestones"]}
    for event in (
        {"type": "MilestoneMet", "milestone_id": ids["Beim Jobcenter melden"],
         "met_on": "2026-09-30"},
        {"type": "MilestoneCancelled", "milestone_id": ids["Anerkennung beraten"],
         "reason": "the job centre advises on recognition"},
        {"type": "HealthNeedsRecorded", "needs": HEALTH},
        {"type": "AgreementAcknowledged", "signed_on": "2026-09-15", "language": "ar",
         "copy_handed_over": True},
    ):  # fmt: skip
        created(api.post(MBE, case_id, agreement_id=agreement_id, **event))
    return case_id, agreement_id


def step(title: str, due_on: str, agency: str, owner: str, area: str) -> dict[str, str]:
    return {"title": title, "due_on": due_on, "responsible_agency": agency, "owner": owner,
            "area": area}  # fmt: skip


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def paper(api: Api, who: str, case_id: str, agreement_id: str, **params: str) -> httpx.Response:
    return api.as_(who, "GET", f"/v1/cases/{case_id}/agreements/{agreement_id}/paper",
                   params=params)  # fmt: skip


def versions(response: httpx.Response) -> tuple[str, str]:
    """The German pages and the translation's, told apart by the foot's page word."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]
    german = "\n".join(p for p in pages if "Seite" in p)
    return german, "\n".join(p for p in pages if "Seite" not in p)


@pytest.mark.parametrize("reader", [MBE, JOBCENTER])
def test_an_agency_that_may_read_the_plan_prints_it_in_german_and_arabic(
    api: Api, case: tuple[str, str], reader: str
) -> None:
    case_id, agreement_id = case

    german, arabic = versions(paper(api, reader, case_id, agreement_id))

    assert german.startswith("Integrationsvereinbarung")
    assert "Amina Haddad" in german
    shown = squeezed(german)
    for text in ("Wozu Sie sich verpflichten", "Integrationskurs besuchen", "01.11.2026",
                 "Sprache", "erfüllt am 30.09.2026", "Was die Stellen Ihnen anbieten",
                 "Kita-Platz vermitteln", "Migrationsberatung Diakonie Mayen-Koblenz",
                 "E-Mail: migrationsberatung@mbe-diakonie.example", "Deutschkenntnisse: Niveau A2",
                 "Kinderbetreuung", "Unterschrift für Jobcenter-Mayen-Koblenz",
                 "Ich habe eine Kopie dieser Vereinbarung erhalten."):  # fmt: skip
        assert squeezed(text) in shown, text
    for text in ("Anerkennung beraten", "Rückenschmerzen", MBE, JOBCENTER):
        assert text not in german, text
    translated = squeezed(arabic.translate(str.maketrans("", "", "\u2066\u2069")))
    for text in ("اتفاقية الاندماج", "ما تلتزم به", "ما تقدمه لك الجهات",
                 "Integrationskurs besuchen"):  # fmt: skip
        assert squeezed(text) in translated, text
    assert "Rückenschmerzen" not in arabic


def test_the_read_is_logged_under_the_consent_it_rests_on(api: Api, case: tuple[str, str]) -> None:
    case_id, agreement_id = case
    consent_ids = {c["recipients"][0]: c["consent_id"]
                   for c in api.get(ABH, f"/v1/cases/{case_id}")["consents"]}  # fmt: skip
    before = len(api.services.access_log.for_case(case_id))

    versions(paper(api, JOBCENTER, case_id, agreement_id, lang="tr"))

    logged = api.services.access_log.for_case(case_id)[before:]
    reads = [e for e in logged if e.agency_id == JOBCENTER and e.action == "read"]
    assert reads
    assert all(e.basis.get("integration_plan") == consent_ids[JOBCENTER] for e in reads
               if "integration_plan" in e.categories)  # fmt: skip
    assert any("integration_plan" in e.categories for e in reads)


def test_a_language_asked_for_is_printed_beside_german(api: Api, case: tuple[str, str]) -> None:
    case_id, agreement_id = case

    german, turkish = versions(paper(api, MBE, case_id, agreement_id, lang="tr"))

    assert "Uyum sözleşmesi" in turkish
    assert "Yükümlülükleriniz" in turkish
    assert "Integrationsvereinbarung" in german
    alone = versions(paper(api, MBE, case_id, agreement_id, lang="de"))
    assert alone[1] == ""


def test_an_agency_without_a_consent_for_the_plan_is_refused_as_a_read_would_withhold_it(
    api: Api, case: tuple[str, str]
) -> None:
    case_id, agreement_id = case
    state = api.get(VHS, f"/v1/cases/{case_id}")
    assert "integration_plan" in state["withheld"]
    assert state["agreements"] == []

    refused = paper(api, VHS, case_id, agreement_id)
    unknown = paper(api, VHS, case_id, "agreement-99")

    for answer in (refused, unknown):  # whether the agreement exists is not told either
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["code"] == "consent-required"
        assert (problem["recipient"], problem["categories"]) == (VHS, ["integration_plan"])
    withheld = [e for e in api.services.access_log.for_case(case_id)
                if e.agency_id == VHS and e.action == "withheld"]  # fmt: skip
    assert any("integration_plan" in e.categories for e in withheld)


def test_an_agency_without_a_relation_to_the_case_gets_the_404_a_case_read_gets(
    api: Api, case: tuple[str, str]
) -> None:
    case_id, agreement_id = case
    case_read = api.as_(UNRELATED, "GET", f"/v1/cases/{case_id}")

    answer = paper(api, UNRELATED, case_id, agreement_id)

    assert case_read.status_code == answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == case_read.json()
    refusals = [e.reason for e in api.services.access_log.for_case(case_id)
                if e.agency_id == UNRELATED and e.action == "refused"]  # fmt: skip
    assert refusals == ["no-relation", "no-relation"]


def test_an_agreement_the_case_does_not_hold_is_404_problem_json(
    api: Api, case: tuple[str, str]
) -> None:
    case_id, _ = case

    answer = paper(api, MBE, case_id, "agreement-99")

    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "not-found"


def test_the_case_page_links_each_agreement_s_paper(
    api: Api, case: tuple[str, str], browser: httpx.Client, services: Services
) -> None:
    case_id, agreement_id = case
    services.accounts.add("berater@mbe.example", MBE, (Role.CASEWORKER,), "Berater", PASSWORD)
    sign_in(browser, "berater@mbe.example")
    link = f"/cases/{case_id}/agreements/{agreement_id}/paper"

    assert f'href="{link}"' in browser.get(f"/cases/{case_id}").text
    answer = browser.get(link)

    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Integrationskurs besuchen" in text
    assert "اتفاقية الاندماج" in text.translate(str.maketrans("", "", "\u2066\u2069"))
    assert browser.get(f"/cases/{case_id}/agreements/agreement-99/paper").status_code == 404
