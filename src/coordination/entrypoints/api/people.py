"""POST /v1/people/search: find a person among the caller agency's cases (ADR 0047).

A POST, so that names and dates never appear in an address or a log line; the search
is on the access log without what was searched for.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from coordination.contract.examples import CASE_ID
from coordination.contract.requests import Day
from coordination.domain.identity import Caller, Role
from coordination.domain.values import ReferenceScheme
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses

router = APIRouter(prefix="/v1", tags=["cases"])
Caseworker = Annotated[Caller, Depends(require(Role.CASEWORKER, json=True))]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


class PersonQuery(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"given_name": "Amina", "family_name": "Hadad", "date_of_birth": "1994-03-02"}
            ]
        },
    )

    given_name: Name | None = None
    family_name: Name
    date_of_birth: Day


class ReferenceQuery(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"scheme": "ba_kundennummer", "reference": "123D456789"}]},
    )

    scheme: ReferenceScheme
    reference: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


class PersonFound(BaseModel):
    case_id: UUID
    display_name: str | None = Field(description="null: withheld from the caller's agency")
    lead_agency: str
    similarity: float


class PeopleFound(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [{
        "case_id": CASE_ID, "display_name": "Amina Haddad", "lead_agency": "abh-leipzig",
        "similarity": 0.91}]}]})  # fmt: skip

    results: list[PersonFound]


@router.post(
    "/people/search", response_model=PeopleFound, responses=problem_responses(400, 401, 403, 422)
)
def search_people(query: PersonQuery, caller: Caseworker, svc: ServicesDep) -> PeopleFound:
    found = svc.people.search(
        caller, query.given_name or "", query.family_name, query.date_of_birth
    )
    return PeopleFound(results=[
        PersonFound(case_id=f.case_id, display_name=f.name, lead_agency=f.lead_agency,
                    similarity=f.similarity)
        for f in found
    ])  # fmt: skip


@router.post(
    "/people/search-by-reference", response_model=PeopleFound,
    responses=problem_responses(400, 401, 403, 422),
)  # fmt: skip
def search_by_reference(query: ReferenceQuery, caller: Caseworker, svc: ServicesDep) -> PeopleFound:
    """The cases the caller's agency attached this file number of its own to
    (`ExternalReferenceRecorded`); another agency's numbers find nothing (ADR 0062)."""
    found = svc.people.by_reference(caller, query.scheme.value, query.reference)
    return PeopleFound(results=[
        PersonFound(case_id=f.case_id, display_name=f.name, lead_agency=f.lead_agency,
                    similarity=f.similarity)
        for f in found
    ])  # fmt: skip
