"""The agency directory (ADR 0054): who takes part, what each agency offers and how its
office is reached, by municipality and kind, a page at a time. Any role reads it: it
holds no personal data (an office's mailbox and phone, never a person's), so a read is
not logged."""

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from coordination.adapters.reports.agencies import AgencyContact
from coordination.adapters.store.directory import Directory, DirectoryEntry
from coordination.domain.identity import AgencyKind
from coordination.domain.rules import SLUG
from projections.caseload.query import BadCursor


@dataclass(frozen=True)
class DirectorySearch:
    municipality: str | None = None
    kind: AgencyKind | None = None


@dataclass(frozen=True)
class DirectoryPage:
    entries: list[DirectoryEntry]
    next_cursor: str | None


class AgencyDirectory:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def find(
        self, search: DirectorySearch, limit: int = 50, cursor: str | None = None
    ) -> DirectoryPage:
        """The agencies found, by id; `next_cursor` continues after the last of them."""
        found = self.directory.entries(search.municipality, search.kind, _decode(cursor),
                                       limit + 1)  # fmt: skip
        page = found[:limit]
        more = len(found) > limit
        return DirectoryPage(page, _encode(page[-1].agency.agency_id) if more else None)

    def contacts(self, agency_ids: Iterable[str]) -> dict[str, AgencyContact]:
        return contacts(self.directory, agency_ids)


def contacts(directory: Directory, agency_ids: Iterable[str]) -> dict[str, AgencyContact]:
    """How the printed papers name each agency and tell how to reach its office; an
    agency the directory does not know keeps its id for a name."""
    found = {}
    for agency_id in set(agency_ids):
        entry = directory.entry(agency_id)
        found[agency_id] = (
            AgencyContact(entry.agency.name, entry.listing.email, entry.listing.phone)
            if entry else AgencyContact(agency_id)
        )  # fmt: skip
    return found


def _encode(agency_id: str) -> str:
    return base64.urlsafe_b64encode(agency_id.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        after = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error) as e:
        raise BadCursor("the cursor is not one this service gave out") from e
    if not SLUG.fullmatch(after):
        raise BadCursor("the cursor is not one this service gave out")
    return after
