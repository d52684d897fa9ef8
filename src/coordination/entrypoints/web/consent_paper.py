"""The consent declaration to sign, printed from the consent form before it is recorded.

The person signs what the caseworker entered; the caseworker then records the consent
with the evidence "written" and the paper's reference. Printing records nothing.
"""

from datetime import date, datetime
from typing import Any

from coordination.adapters.reports.consent_form import (
    ConsentPaper,
    paper_languages,
    render_consent_form,
)
from coordination.entrypoints.web.case_page import CasePage


def consent_paper(page: CasePage, consent: dict[str, Any], at: datetime) -> bytes:
    """`consent`: the checked body of the consent form (ConsentGranted's request)."""
    person = page.data.get("person") or {}
    representative = consent.get("legal_representative") or {}
    evidence = consent.get("evidence") or {}
    paper = ConsentPaper(
        case_id=str(page.case.id), person_name=page.name,
        date_of_birth=_day(person.get("date_of_birth")),
        obtained_by=page.agency_name(consent.get("obtained_by") or page.agency),
        recipients=[page.agency_name(a) for a in consent["recipients"]],
        purposes=list(consent["purposes"]), categories=list(consent["categories"]),
        given_on=consent["given_on"], valid_until=consent.get("valid_until"),
        legal_representative=representative.get("name"), prepared_at=at,
        document_ref=evidence.get("document_ref"),
    )  # fmt: skip
    languages = paper_languages([*person.get("languages", ()), evidence.get("language") or ""])
    return render_consent_form(paper, languages)


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
