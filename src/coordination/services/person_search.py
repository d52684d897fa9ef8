"""Finding a person among the cases an agency may see, by name and date of birth,
through the person index's keyed encodings: the store is not decrypted to search it,
and every search is on the access log, without what was searched for (ADR 0047)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from coordination.adapters.person_index import MATCH, PersonEncoder, dice
from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.application.errors import CaseNotFound
from coordination.domain.identity import Caller
from coordination.services.cases import CaseService
from projections.caseload.view import CaseloadView
from projections.person_index.view import PersonIndexView

MOST = 10  # results shown; a search finds a person, it does not list a population


@dataclass(frozen=True)
class Found:
    case_id: UUID
    name: str | None  # None: withheld from the caller's agency
    lead_agency: str
    similarity: float


class PersonSearch:
    def __init__(
        self, index: PersonIndexView, encoder: PersonEncoder, caseload: CaseloadView,
        cases: CaseService, access_log: AccessLog, clock: Callable[[], datetime],
    ) -> None:  # fmt: skip
        self.index, self.encoder, self.caseload = index, encoder, caseload
        self.cases, self.access_log, self.clock = cases, access_log, clock

    def search(self, caller: Caller, given_name: str, family_name: str, born: date) -> list[Found]:
        wanted = self.encoder.encode(given_name, family_name, born)
        candidates = self.index.candidates(wanted.blocks)
        scored = [(dice(wanted.clk, c.clk), c.case_id) for c in candidates]
        similar = {case_id: score for score, case_id in scored if score >= MATCH}
        related = self.caseload.related(caller.agency_id, sorted(similar))
        best = sorted(related, key=lambda c: -similar[c])[:MOST]
        self.access_log.write(AccessEntry.of(
            caller, self.clock(), None, "search", categories=["identity"],
            basis={"results": len(best)}, reason="person-search",
        ))  # fmt: skip
        return [f for case_id in best if (f := self._found(caller, case_id, similar)) is not None]

    def by_reference(self, caller: Caller, scheme: str, reference: str) -> list[Found]:
        """The cases the caller's agency attached this file number to (ADR 0062); a
        number another agency attached finds nothing. Logged like a name search."""
        token = self.encoder.reference(caller.agency_id, scheme, reference)
        case_ids = self.index.cases_referenced(caller.agency_id, token)[:MOST]
        self.access_log.write(AccessEntry.of(
            caller, self.clock(), None, "search", basis={"results": len(case_ids)},
            reason="reference-search",
        ))  # fmt: skip
        exact = dict.fromkeys(case_ids, 1.0)
        return [f for case_id in case_ids if (f := self._found(caller, case_id, exact)) is not None]

    def _found(self, caller: Caller, case_id: str, similar: dict[str, float]) -> Found | None:
        """The case as the caller may see it; its read is logged like any other."""
        try:
            case, view = self.cases.read_case(caller, UUID(case_id))
        except CaseNotFound:
            return None
        person = (view.data or {}).get("person") or {}
        names = [person.get("given_name"), person.get("family_name")]
        name = " ".join(n for n in names if n) or None
        return Found(case.id, name, case.lead_agency, round(similar[case_id], 2))
