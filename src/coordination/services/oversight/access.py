"""Who may oversee a case, and the access-log entries oversight writes.

A case's consent trail, disclosure report and receipts are for the data-protection
officer of each controller with a part in it (ADR 0042), who sees that part, and for
its current lead agency, who sees all of it. Every such read is logged with the role
it was allowed on; every refusal too.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.domain.case import Case
from coordination.domain.identity import Caller, Role
from coordination.services.controllers import ControllerOf, Processing, processing


class Overseer(StrEnum):
    """The basis of an oversight read, as the access log names it ({"role": ...})."""

    DPO = "dpo"
    LEAD = "lead"


# Oversight reads show metadata only; they are not reads of the person's data.
OVERSIGHT_ROLES = frozenset(Overseer)


@dataclass(frozen=True)
class Logbook:
    """Writes access-log entries for a caller at the service clock."""

    access_log: AccessLog
    clock: Callable[[], datetime]

    def entry(
        self, caller: Caller, case_id: UUID | None, action: str,
        categories: Sequence[str] = (), basis: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> AccessEntry:  # fmt: skip
        return AccessEntry.of(
            caller, self.clock(), case_id, action, categories=list(categories),
            basis=basis or {}, reason=reason,
        )  # fmt: skip

    def oversight_read(self, caller: Caller, case_id: UUID | None, overseer: Overseer) -> None:
        self.access_log.write(self.entry(caller, case_id, "read", basis={"role": overseer}))

    def refuse(self, caller: Caller, case_id: UUID, reason: str) -> None:
        self.access_log.write(self.entry(caller, case_id, "refused", reason=reason))


def check_overseer(
    case: Case, caller: Caller, logbook: Logbook, controller_of: ControllerOf
) -> tuple[Overseer, Processing | None]:
    """The DPO of a controller with a part in the case (and that part), or a caseworker
    of its current lead agency (and the whole case, None).

    Other related agencies get 403; unrelated ones and other controllers' DPOs 404, as
    for any read.
    """
    agency = caller.principal.agency
    if caller.principal.role == Role.DPO:
        part = processing(case, agency.controller, controller_of)
        if not part.any:
            logbook.refuse(caller, case.id, "other-controller")
            raise CaseNotFound
        return Overseer.DPO, part
    if agency.agency_id not in case.involved:
        logbook.refuse(caller, case.id, "no-relation")
        raise CaseNotFound
    if agency.controller in case.erased_parts and not case.erased:
        logbook.refuse(caller, case.id, "part-erased")
        raise CaseNotFound
    if agency.agency_id != case.lead_agency:
        logbook.refuse(caller, case.id, "not-lead")
        msg = "only the lead agency or a controller's data-protection officer may see this"
        raise Forbidden(msg)
    return Overseer.LEAD, None
