"""Routes for data-protection oversight (the contract's consent trail, and beyond it).

The consent trail, the disclosure report and consent receipts are for the DPO of a
controller with a part in the case (who sees that part) and the current lead agency;
the overview is for DPOs, of their controller's processing.
"""

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from fastapi.responses import JSONResponse, Response

from consent.record import LOCAL_TIME
from coordination.adapters.reports.labels import Language, paper_language
from coordination.adapters.reports.pdf import render_report
from coordination.bootstrap import Services
from coordination.contract.examples import CASE_ID
from coordination.contract.requests import FIRST_DAY, IN_YEARS, LAST_DAY
from coordination.domain.disclosure import DisclosureReport
from coordination.domain.identity import Caller, Role
from coordination.entrypoints.api import oversight_responses as out
from coordination.entrypoints.api.cases import ERRORS, parse_case_id
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.services.oversight.overview import CSV_COLUMNS as OVERVIEW_COLUMNS
from coordination.services.oversight.overview import Overview, overview_csv
from coordination.services.oversight.receipts import dpv_receipt, fhir_consent
from coordination.services.oversight.service import OversightService
from coordination.services.oversight.trail import TrailDocument

router = APIRouter(prefix="/v1", tags=["data protection"])

PDF, CSV = "application/pdf", "text/csv"
JSON_LD, FHIR_JSON = "application/ld+json", "application/fhir+json"

# Receipts are documents of their standards, left as objects to a client's JSON reader.
CASE_IRI = f"https://coordination.example/cases/{CASE_ID}"
DPV_RECEIPT = {"type": "object", "description": (
    "a consent record after ISO/IEC TS 27560 as JSON-LD in DPV terms "
    "(https://w3id.org/dpv/guides/consent-27560): header, processing, parties, events"),
    "examples": [{"@id": f"{CASE_IRI}/consents/consent-1", "@type": "dpv:ConsentRecord",
                  "dct:identifier": "consent-1", "dct:created": "2026-09-01T09:00:00Z",
                  "dpv:hasDataSubject": {"@id": f"{CASE_IRI}#person",
                                         "@type": "dpv:DataSubject"}}]}  # fmt: skip
FHIR_RECEIPT = {"type": "object", "description": (
    "an HL7 FHIR R5 Consent resource (https://hl7.org/fhir/R5/consent.html)"),
    "examples": [{"resourceType": "Consent", "id": "consent-1", "status": "active",
                  "date": "2026-09-01", "decision": "permit",
                  "subject": {"type": "Patient", "identifier": {
                      "system": "https://coordination.example/cases",
                      "value": CASE_ID}}}]}  # fmt: skip
# The rows of DpoOverview's example, one a row, the section first.
OVERVIEW_CSV = "\r\n".join((
    ",".join(OVERVIEW_COLUMNS),
    "refused,jobcenter-leipzig,refused,no-relation,1,,,,",
    "refused,mbe-caritas-leipzig,withheld,no-consent,1,,,,",
    f"expiring,jobcenter-leipzig,,,,{out.OTHER_CASE},consent-1,2026-09-30T22:00:00Z,",
    f"withdrawal,mbe-caritas-leipzig,,,,{out.OTHER_CASE},consent-2,2026-08-28T13:40:00Z,",
    f"emergency,mbe-caritas-leipzig,,,1,{out.OTHER_CASE},,2026-08-27T14:05:00Z,emergency-1",
    "",
))  # fmt: skip


class ReceiptResponse(JSONResponse):
    """A receipt is answered as JSON-LD or FHIR JSON, never as plain application/json."""

    media_type = JSON_LD


CaseOverseer = Annotated[Caller, Depends(require(Role.CASEWORKER, Role.DPO))]
Dpo = Annotated[Caller, Depends(require(Role.DPO))]
Accept = Annotated[str, Header(description="the format may also be chosen by media type")]


def oversight(svc: ServicesDep) -> OversightService:
    return svc.oversight


OversightDep = Annotated[OversightService, Depends(oversight)]


def _chosen(asked: str | None, accept: str, by_media_type: dict[str, str], default: str) -> str:
    """An explicit ?format= wins; else the first of these media types named in Accept."""
    if asked is not None:
        return asked
    return next((fmt for media, fmt in by_media_type.items() if media in accept.lower()), default)


@router.get("/cases/{case_id}/consent-trail", response_model=out.ConsentTrail, responses=ERRORS)
def get_consent_trail(case_id: str, caller: CaseOverseer, svc: OversightDep) -> TrailDocument:
    return svc.consent_trail(caller, parse_case_id(case_id))


@router.get(
    "/cases/{case_id}/disclosure-report",
    response_model=out.DisclosureReport,
    responses={
        **ERRORS,
        200: {
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
            "description": "JSON, or a PDF",
        },
    },
)
def get_disclosure_report(
    case_id: str, caller: CaseOverseer, svc: OversightDep,
    format_: Annotated[Literal["json", "pdf"] | None, Query(alias="format")] = None,
    lang: Annotated[Language | None, Query(
        description="the PDF's language beside German (German alone: de); by default the "
        "first of the person's languages the papers print in")] = None,
    accept: Accept = "",
) -> DisclosureReport | Response:  # fmt: skip
    if _chosen(format_, accept, {PDF: "pdf"}, "json") == "json":
        return svc.disclosure_report(caller, parse_case_id(case_id))
    paper = svc.disclosure_paper(caller, parse_case_id(case_id))
    language = lang or paper_language(paper.person_languages)
    filename = f"disclosure-report-{paper.report.case_id}-{language.value}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    pdf = render_report(paper.report, language, paper.agencies)
    return Response(pdf, media_type=PDF, headers=headers)


@router.get(
    "/cases/{case_id}/consents/{consent_id}/receipt",
    response_class=ReceiptResponse,
    responses={**ERRORS, 200: {"content": {JSON_LD: {"schema": DPV_RECEIPT},
                                           FHIR_JSON: {"schema": FHIR_RECEIPT}},
                               "description": "ISO/IEC TS 27560 in DPV, or FHIR R5 Consent"}},
)  # fmt: skip
def get_consent_receipt(
    case_id: str, consent_id: str, caller: CaseOverseer, svc: OversightDep,
    format_: Annotated[Literal["dpv", "fhir"] | None, Query(alias="format")] = None,
    accept: Accept = "",
) -> JSONResponse:  # fmt: skip
    source = svc.consent_receipt(caller, parse_case_id(case_id), consent_id)
    if source is None:
        raise HTTPException(404, "no such consent on this case")
    if _chosen(format_, accept, {FHIR_JSON: "fhir", JSON_LD: "dpv"}, "dpv") == "fhir":
        return JSONResponse(fhir_consent(source), media_type=FHIR_JSON)
    return JSONResponse(dpv_receipt(source), media_type=JSON_LD)


@router.get(
    "/dpo/overview",
    response_model=out.DpoOverview,
    responses={
        **ERRORS,
        200: {
            "content": {CSV: {"schema": {"type": "string"}, "example": OVERVIEW_CSV}},
            "description": "JSON, or CSV",
        },
    },
)
def get_dpo_overview(
    caller: Dpo, services: ServicesDep, svc: OversightDep,
    since: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, json_schema_extra=IN_YEARS,
                                        description="first day; default: until - 29")] = None,
    until: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, json_schema_extra=IN_YEARS,
                                        description="last day, inclusive; default today")] = None,
    format_: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None,
    accept: Accept = "",
) -> Overview | Response:  # fmt: skip
    since, until = _period(services, since, until)
    result = svc.overview(caller, since, until)
    if _chosen(format_, accept, {CSV: "csv"}, "json") == "json":
        return result
    filename = f"dpo-overview-{result.controller}-{since}-{until}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(overview_csv(result), media_type=f"{CSV}; charset=utf-8", headers=headers)


def _period(services: Services, since: date | None, until: date | None) -> tuple[date, date]:
    """Whole German calendar days; by default the 30 days up to today."""
    until = until or services.app.clock().astimezone(LOCAL_TIME).date()
    since = since or until - timedelta(days=29)
    if since > until:
        raise HTTPException(400, "since lies after until")
    return since, until
