"""Agencies as the papers name them: by the name the directory gives, with how their
office is reached. A person cannot look up an id; they can write or call."""

from collections.abc import Mapping
from dataclasses import dataclass

from coordination.adapters.reports.labels import Words


@dataclass(frozen=True, slots=True)
class AgencyContact:
    """An agency's name and its office's mailbox and phone (never a person's)."""

    name: str
    email: str | None = None
    phone: str | None = None


Agencies = Mapping[str, AgencyContact]  # by agency id


def named(agencies: Agencies, agency_id: str) -> AgencyContact:
    """The agency as the directory has it; one it does not know, by its id."""
    return agencies.get(agency_id) or AgencyContact(agency_id)


def contact_line(agency: AgencyContact, words: Words) -> str | None:
    """ "Email: … · Phone: …" in the paper's language; None without either."""
    parts = []
    if agency.email:
        parts.append(words("Email") + ": " + words.code(agency.email))
    if agency.phone:
        parts.append(words("Phone") + ": " + words.code(agency.phone))
    return " · ".join(parts) or None


def with_contact(agency: AgencyContact, words: Words) -> str:
    """The name, and how to reach the agency in brackets after it, on one line."""
    line = contact_line(agency, words)
    return f"{agency.name} ({line})" if line else agency.name
