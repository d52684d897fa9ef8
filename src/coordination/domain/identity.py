"""Who acts: agencies, the roles their people and systems have, and the caller of a request.

An `Actor` is what an event remembers of who recorded it; a `Principal` is who a
credential stands for; a `Caller` is a principal within one request.
"""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    AUDITOR = "auditor"
    DPO = "dpo"
    ADMIN = "admin"


class AgencyKind(StrEnum):
    AUSLAENDERBEHOERDE = "auslaenderbehoerde"
    JOBCENTER = "jobcenter"
    ARBEITSAGENTUR = "arbeitsagentur"
    BAMF = "bamf"
    MIGRATIONSBERATUNG = "migrationsberatung"
    JUGENDMIGRATIONSDIENST = "jugendmigrationsdienst"
    INTEGRATIONSMANAGEMENT = "integrationsmanagement"
    SPRACHKURSTRAEGER = "sprachkurstraeger"
    ANERKENNUNGSBERATUNG = "anerkennungsberatung"
    KOMMUNE = "kommune"
    OTHER = "other"


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    kind: AgencyKind
    municipality: str


@dataclass(frozen=True)
class Actor:
    """Who records an event: an agency, through one of its tokens."""

    agency: str
    token_label: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: an agency, through one token with one role."""

    agency: Agency
    role: Role
    token_id: str
    token_label: str


@dataclass(frozen=True)
class Caller:
    """A principal within one request: what the access log names."""

    principal: Principal
    request_id: str

    @property
    def agency_id(self) -> str:
        return self.principal.agency.agency_id

    @property
    def actor(self) -> Actor:
        return Actor(self.agency_id, self.principal.token_label)
