"""The consent declaration to sign, printed from the consent form before it is recorded.

The person signs what the caseworker entered; the caseworker then records the consent
with the evidence "written" and the paper's reference. Printing records nothing. The
paper is in German and in the first of the person's languages it is printed in, or
else in the language the form names for the consent's evidence.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from coordination.adapters.reports.agencies import AgencyContact
from coordination.adapters.reports.consent_form import ConsentPaper, render_consent_form
from coordination.adapters.reports.labels import day_of, paper_languages
from coordination.entrypoints.web.case_page import CasePage

Contacts = Callable[[Iterable[str]], dict[str, AgencyContact]]


def consent_paper(
    page: CasePage, consent: dict[str, Any], at: datetime, contacts: Contacts
) -> bytes:
    """`consent`: the checked body of the consent form (ConsentGranted's request);
    `contacts`: the directory's names and contacts of agencies, by id."""
    person = page.data.get("person") or {}
    representative = consent.get("legal_representative") or {}
    evidence = consent.get("evidence") or {}
    obtained_by = consent.get("obtained_by") or page.agency
    agencies = contacts([obtained_by, *consent["recipients"]])
    paper = ConsentPaper(
        case_id=str(page.case.id), person_name=page.name,
        date_of_birth=day_of(person.get("date_of_birth")), obtained_by=agencies[obtained_by],
        recipients=[agencies[a] for a in consent["recipients"]],
        purposes=list(consent["purposes"]), categories=list(consent["categories"]),
        given_on=consent["given_on"], valid_until=consent.get("valid_until"),
        legal_representative=representative.get("name"), prepared_at=at,
        document_ref=evidence.get("document_ref"),
    )  # fmt: skip
    spoken = [*person.get("languages", ()), evidence.get("language") or ""]
    return render_consent_form(paper, paper_languages(spoken))
