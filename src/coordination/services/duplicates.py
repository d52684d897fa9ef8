"""Possible duplicates when a case is opened (ADR 0059).

The new case's person is encoded as the person index encodes everyone (ADR 0047) and
compared with every case sharing a blocking key: the same date of birth (or year and
month), a name alike in its bigrams or in its consonant skeleton, and no differing
nationality where both are known. A match is kept as a pair of case ids. The agency
that opened the case learns only that a possible duplicate exists; the earlier case's
lead agency sees the pair on its case, with who opened the other; each side's DPO sees its
own side.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from coordination.adapters.person_index import (
    MATCH,
    SKELETON_MATCH,
    Encoded,
    PersonEncoder,
    born_on,
    dice,
)
from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.directory import Directory
from coordination.adapters.store.duplicates import DuplicateStore, PossibleDuplicate
from coordination.domain.identity import Caller, Role
from projections.person_index.view import Candidate, PersonIndexView


@dataclass(frozen=True)
class Notice:
    """A possible duplicate as one side sees it: its own case, and the agency on the
    other side to ask; never the other case's id."""

    case_id: str
    other_agency: str | None  # None for the agency that opened the later case
    opened_here: bool  # the case is the one opened later, which found the other
    found_at: datetime
    similarity: float


class DuplicateCheck:
    def __init__(
        self, index: PersonIndexView, encoder: PersonEncoder, store: DuplicateStore,
        lead_of: Callable[[UUID], str], directory: Directory, access_log: AccessLog,
        clock: Callable[[], datetime],
    ) -> None:  # fmt: skip
        self.index, self.encoder, self.store, self.lead_of = index, encoder, store, lead_of
        self.directory, self.access_log, self.clock = directory, access_log, clock

    def notices(self, caller: Caller) -> list[Notice]:
        """For a caseworker, the pairs whose earlier case her agency leads: she is the one
        to ask. For a DPO, every pair of the controller's agencies, on either side."""
        if caller.principal.role is Role.DPO:
            ours = self._agencies_of(caller.principal.agency.controller)
        else:
            ours = frozenset({caller.agency_id})
        seen = []
        for pair in self.store.involving(sorted(ours)):
            if pair.lead_agency in ours:
                seen.append(Notice(pair.earlier_case_id, pair.opened_by, False, pair.found_at,
                                   pair.similarity))  # fmt: skip
            elif caller.principal.role is Role.DPO:
                seen.append(Notice(pair.case_id, pair.lead_agency, True, pair.found_at,
                                   pair.similarity))  # fmt: skip
        return seen

    def on_case(self, caller: Caller, case_id: UUID) -> list[Notice]:
        """What the caller's agency may know of a case's possible duplicates: as the
        earlier case's lead, who opened the other; as the opener, only that one exists."""
        mine, seen = str(case_id), []
        for pair in self.store.of_case(mine):
            if pair.earlier_case_id == mine and pair.lead_agency == caller.agency_id:
                seen.append(Notice(mine, pair.opened_by, False, pair.found_at, pair.similarity))
            elif pair.case_id == mine and pair.opened_by == caller.agency_id:
                seen.append(Notice(mine, None, True, pair.found_at, pair.similarity))
        return seen

    def merged(self, case_id: str, into_case_id: str) -> None:
        """The two cases are one person's now: their pair is settled."""
        self.store.settled(case_id, into_case_id)

    def _agencies_of(self, controller: str) -> frozenset[str]:
        return frozenset(
            a.agency_id for a in self.directory.list_agencies() if a.controller == controller
        )

    def check(self, caller: Caller, case_id: UUID, person: Mapping[str, Any]) -> bool:
        """Whether the case just opened may duplicate another; the check is on the
        access log with the number of pairs found, never a case id."""
        wanted = self._encoded(person)
        if wanted is None:  # too little to find the person by: no date of birth
            return False
        now, mine = self.clock(), str(case_id)
        pairs = [
            PossibleDuplicate(mine, c.case_id, caller.agency_id, self.lead_of(UUID(c.case_id)),
                              now, round(score, 2))
            for c in self.index.candidates(wanted.blocks)
            if c.case_id != mine and (score := similarity(wanted, c)) > 0
        ]  # fmt: skip
        if pairs:
            self.store.found(pairs)
        # Like a search, the check names no case: it is not a read of the new one.
        self.access_log.write(AccessEntry.of(
            caller, now, None, "duplicate-check", basis={"possible_duplicates": len(pairs)},
        ))  # fmt: skip
        return bool(pairs)

    def _encoded(self, person: Mapping[str, Any]) -> Encoded | None:
        born, family = born_on(person.get("date_of_birth")), person.get("family_name")
        if born is None or not family:
            return None
        given, country = person.get("given_name") or "", person.get("nationality")
        return self.encoder.encode(given, family, born, country)


def similarity(wanted: Encoded, candidate: Candidate) -> float:
    """How alike two encodings are, 0 when they are not alike enough to be one person:
    the names' bigrams from MATCH, or their skeletons from SKELETON_MATCH; two known
    nationalities that differ rule a pair out."""
    if wanted.nationality and candidate.nationality and wanted.nationality != candidate.nationality:
        return 0.0
    full, bare = dice(wanted.clk, candidate.clk), dice(wanted.skeleton, candidate.skeleton)
    if full >= MATCH or bare >= SKELETON_MATCH:
        return max(full, bare)
    return 0.0
