"""GET /v1/agencies: the agency directory (ADR 0054), for every role.

Who takes part in the deployment, what each agency offers and how its office is
reached: the answer to "where do I refer this person?". No personal data: contacts are
an office's functional mailbox and phone, so reads are not logged.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from coordination.adapters.store.directory import DirectoryEntry
from coordination.domain.identity import AgencyKind, Caller, Role
from coordination.domain.rules import SLUG
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses
from coordination.services.agency_directory import DirectorySearch

router = APIRouter(prefix="/v1", tags=["agencies"])
Reader = Annotated[Caller, Depends(require(*Role))]
ERRORS = problem_responses(400, 401, 403, 422)

# Agencies of the demo data (`coordination demo`), as the directory shows them.
EXAMPLE_AGENCIES: list[JsonValue] = [
    {
        "agency_id": "abh-mayen-koblenz",
        "name": "Ausländerbehörde Kreisverwaltung Mayen-Koblenz",
        "kind": "auslaenderbehoerde",
        "municipality": "mayen-koblenz",
        "offers": [
            "Aufenthaltstitel: Erteilung und Verlängerung",
            "Beschäftigungserlaubnis",
            "Verpflichtung zum Integrationskurs (§ 44a AufenthG)",
        ],
        "contact": {
            "email": "auslaenderbehoerde@abh-mayen-koblenz.demo.example",
            "phone": "+49 261 0000-4400",
        },
    },
    {
        "agency_id": "mbe-diakonie-mayen-koblenz",
        "name": "Migrationsberatung Diakonie Mayen-Koblenz",
        "kind": "migrationsberatung",
        "municipality": "mayen-koblenz",
        "offers": [
            "Migrationsberatung für Erwachsene (MBE)",
            "Begleitung während des Integrationskurses",
            "Beratung zu Wohnen, Arbeit und Familiennachzug",
        ],
        "contact": {
            "email": "migrationsberatung@mbe-diakonie-mayen-koblenz.demo.example",
            "phone": "+49 261 0000-3160",
        },
    },
]


class ContactOut(BaseModel):
    """The office, never a person: a functional mailbox and a phone number."""

    email: str | None = Field(
        examples=["migrationsberatung@mbe-diakonie-mayen-koblenz.demo.example"]
    )
    phone: str | None = Field(examples=["+49 261 0000-3160"])


class AgencyOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_AGENCIES[1]]})

    agency_id: str
    name: str
    kind: AgencyKind
    municipality: str
    offers: list[str] = Field(description="what the agency offers, in a few short texts")
    contact: ContactOut

    @classmethod
    def of(cls, entry: DirectoryEntry) -> "AgencyOut":
        a, listing = entry.agency, entry.listing
        return cls(
            agency_id=a.agency_id, name=a.name, kind=a.kind, municipality=a.municipality,
            offers=list(listing.offers),
            contact=ContactOut(email=listing.email, phone=listing.phone),
        )  # fmt: skip


class AgencyDirectoryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": EXAMPLE_AGENCIES, "next_cursor": None}]}
    )

    items: list[AgencyOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: none")


@router.get("/agencies", response_model=AgencyDirectoryOut, responses=ERRORS)
def list_agencies(
    caller: Reader, svc: ServicesDep,
    municipality: Annotated[str | None, Query(pattern=rf"^{SLUG.pattern}$",
                                              examples=["mayen-koblenz"])] = None,
    kind: Annotated[AgencyKind | None, Query(examples=["migrationsberatung"])] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> AgencyDirectoryOut:  # fmt: skip
    """The agencies taking part, by id: what each offers and how its office is reached."""
    page = svc.agencies.find(DirectorySearch(municipality, kind), limit, cursor)
    return AgencyDirectoryOut(items=[AgencyOut.of(e) for e in page.entries],
                              next_cursor=page.next_cursor)  # fmt: skip
