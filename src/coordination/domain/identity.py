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
    """An agency, and the controller (Art. 4 Nr. 7 GDPR) its processing answers to: the
    body that decides on it. Unnamed, it is the agency's municipality (ADR 0042)."""

    agency_id: str
    name: str
    kind: AgencyKind
    municipality: str
    controller: str = ""

    def __post_init__(self) -> None:
        if not self.controller:
            object.__setattr__(self, "controller", self.municipality)


@dataclass(frozen=True)
class Actor:
    """Who records an event: an agency, through one of its tokens or through a person
    signed in to the web app (`user`, their pseudonymous id; § 76 BDSG asks which person
    acted). The controller its processing answers to is known while recording, not
    stored with the event."""

    agency: str
    token_label: str
    controller: str = ""
    user: str = ""


@dataclass(frozen=True)
class Principal:
    """Who is calling: an agency, through one token with one role, or through one of its
    people signed in to the web app in one of their roles (`user`: the pseudonymous id)."""

    agency: Agency
    role: Role
    token_id: str
    token_label: str
    user: str = ""


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
        agency = self.principal.agency
        p = self.principal
        return Actor(agency.agency_id, p.token_label, agency.controller, p.user)
