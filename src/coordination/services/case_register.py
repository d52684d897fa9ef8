"""Finding the cases of the auditor's municipality, open and closed, and drawing a
sample of them for a review (ADR 0050). Lists hold no personal data; each list and
each sample is on the access log, a sample with its seed, so it can be drawn again."""

import base64
import binascii
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from consent.record import end_of_validity, start_of_day
from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.timestamps import stamp
from coordination.application.errors import Forbidden
from coordination.domain.identity import Caller, Role
from projections.caseload import register
from projections.caseload.query import BadCursor
from projections.caseload.register import CaseFilter, RegisterEntry
from projections.caseload.view import CaseloadView

MOST_SAMPLED = 1_000
SEED_LIMIT = 2**63  # seeds are 63-bit: they fit every JSON reader and a BIGINT


@dataclass(frozen=True)
class CaseSearch:
    """What an auditor looks for; days are German calendar days, both inclusive."""

    status: str | None = None  # "open" | "closed"
    lead_agency: str | None = None
    opened_from: date | None = None
    opened_to: date | None = None


@dataclass(frozen=True)
class RegisterPage:
    entries: list[RegisterEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class Sample:
    entries: list[RegisterEntry]
    seed: int
    population: int  # the cases it was drawn from


class CaseRegister:
    def __init__(
        self, view: CaseloadView, access_log: AccessLog, clock: Callable[[], datetime]
    ) -> None:
        self.view, self.access_log, self.clock = view, access_log, clock

    def find(
        self, caller: Caller, search: CaseSearch, limit: int = 50, cursor: str | None = None
    ) -> RegisterPage:
        _check_auditor(caller)
        wanted = self._filter(caller, search)
        entries, after = register.find(self.view, wanted, limit, _decode(cursor))
        self._log(caller, search, len(entries), "case-register")
        return RegisterPage(entries, _encode(after) if after else None)

    def sample(
        self, caller: Caller, search: CaseSearch, size: int, seed: int | None = None
    ) -> Sample:
        """`size` cases drawn at random; the same seed over the same cases draws the
        same ones again (a case opened later changes the population: name `opened_to`)."""
        _check_auditor(caller)
        drawn_with = secrets.randbelow(SEED_LIMIT) if seed is None else seed
        entries, population = register.sample(
            self.view, self._filter(caller, search), min(size, MOST_SAMPLED), drawn_with
        )
        self._log(caller, search, len(entries), "case-sample", seed=drawn_with,
                  population=population)  # fmt: skip
        return Sample(entries, drawn_with, population)

    def _filter(self, caller: Caller, search: CaseSearch) -> CaseFilter:
        closed = {"open": False, "closed": True}.get(search.status or "")
        return CaseFilter(
            municipality=caller.principal.agency.municipality, closed=closed,
            lead_agency=search.lead_agency,
            opened_from=stamp(start_of_day(search.opened_from)) if search.opened_from else None,
            opened_before=stamp(end_of_validity(search.opened_to))
            if search.opened_to else None,
        )  # fmt: skip

    def _log(self, caller: Caller, search: CaseSearch, found: int, reason: str,
             **drawn: int) -> None:  # fmt: skip
        terms = {k: str(v) for k, v in vars(search).items() if v is not None}
        self.access_log.write(AccessEntry.of(
            caller, self.clock(), None, "search", basis={"role": Role.AUDITOR.value,
            "results": found, **terms, **drawn}, reason=reason,
        ))  # fmt: skip


def _check_auditor(caller: Caller) -> None:
    if caller.principal.role != Role.AUDITOR:
        raise Forbidden("only auditors search the register of cases")


def _encode(after: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(after).encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[str, str] | None:
    if not cursor:
        return None
    try:
        opened_at, case_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (
            not isinstance(opened_at, str)
            or not isinstance(case_id, str)
            or "\x00" in opened_at + case_id
        ):
            raise ValueError("not a key of the register")
        return opened_at, case_id
    except (ValueError, TypeError, binascii.Error) as e:
        raise BadCursor("the cursor is not one this service gave out") from e
