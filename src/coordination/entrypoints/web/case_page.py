"""What the case page shows one agency, and which of the catalogue's forms it offers.

The forms offered are those the agency could record now (by the catalogue's `Recorder`);
the case still decides: an offered form can be refused, and the refusal is shown.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coordination.domain.case import Case
from coordination.domain.catalogue import POSTED_TYPES
from coordination.domain.declaration import Recorder
from coordination.domain.identity import Agency
from coordination.domain.parts import EmergencyAccess
from coordination.domain.visibility import View
from coordination.entrypoints.web.forms import N_
from coordination.services.cases import SeenEvent
from coordination.services.duplicates import Notice

# Recorded through their own controls: a referral's answer buttons, the emergency
# access's request (a dialog) and its end (a button in its banner).
OWN_CONTROLS = ("ReferralAccepted", "ReferralDeclined", "EmergencyAccessOpened",
                "EmergencyAccessEnded")  # fmt: skip
EMERGENCY = "EmergencyAccessOpened"
# Offered only on a closed case: reopening an open one is refused.
# Neither follows a merge: the case went on in the one it was merged into.
MERGING = frozenset({"CaseReopened", "CaseMerged"})
ON_CLOSED_ONLY = ("CaseReopened",)


@dataclass(frozen=True)
class CasePage:
    case: Case
    view: View
    history: list[SeenEvent]
    agency: str
    agencies: list[Agency]  # the directory, to choose recipients from and to name them
    names: dict[str, str]  # display names of the people in the timeline
    duplicates: list[Notice] = field(default_factory=list)  # what the agency may know of them

    def agency_name(self, agency_id: str) -> str:
        return next((a.name for a in self.agencies if a.agency_id == agency_id), agency_id)

    @property
    def data(self) -> dict[str, Any]:
        return self.view.data or {}

    @property
    def name(self) -> str | None:
        person = self.data.get("person") or {}
        names = [person.get("given_name"), person.get("family_name")]
        return " ".join(n for n in names if n) or None

    def referrals_to_answer(self) -> list[dict[str, Any]]:
        return [r for r in self.data.get("referrals", ())
                if r["to_agency"] == self.agency and r["status"] == "sent"]  # fmt: skip

    def emergency(self, now: datetime | None = None) -> EmergencyAccess | None:
        """This agency's emergency access in force, if any."""
        at = now or datetime.now(UTC)
        return next((e for e in self.case.emergencies.values()
                     if e.agency == self.agency and e.ended_at is None and e.until > at),
                    None)  # fmt: skip

    def timeline(self) -> list[SeenEvent]:
        return list(reversed(self.history))


def users_of(history: list[SeenEvent]) -> list[str]:
    return [s.event.user for s in history if s.event.user]


def offered_types(page: CasePage) -> list[str]:
    """The forms of the case page's list: what the agency may record, but for the event
    types that have controls of their own."""
    return [t.name for t in POSTED_TYPES
            if t.name not in OWN_CONTROLS and _may_offer(t.name, page)]  # fmt: skip


# The forms' groups on the case page, by the part of the case that declares the event
# (its module in `domain/case/`), in the order a caseworker meets them.
FORM_GROUPS = {
    "person": N_("The person"), "consents": N_("Consents"), "referrals": N_("Referrals"),
    "courses": N_("Courses"), "agreements": N_("Integration agreement"),
    "qualifications": N_("Qualifications and recognition"),
    "places": N_("Childcare, school and housing"), "housing": N_("Childcare, school and housing"),
    "cooperation": N_("The job centre's cooperation plan"), "references": N_("The case"),
    "administration": N_("The case"), "merging": N_("The case"),
}  # fmt: skip


def grouped(kinds: list[str]) -> dict[str, list[str]]:
    """The event types by their group's heading, groups in `FORM_GROUPS` order."""
    part = {t.name: t.event.__module__.rsplit(".", 1)[-1] for t in POSTED_TYPES}
    groups: dict[str, list[str]] = {heading: [] for heading in FORM_GROUPS.values()}
    for kind in kinds:
        groups[FORM_GROUPS.get(part[kind], N_("The case"))].append(kind)
    return {heading: found for heading, found in groups.items() if found}


def may_request_emergency(page: CasePage) -> bool:
    """An emergency access is offered where something is withheld and none is open."""
    return bool(page.view.withheld) and page.emergency() is None and _may_offer(EMERGENCY, page)


def _may_offer(kind: str, page: CasePage) -> bool:
    declared = next(t.declared for t in POSTED_TYPES if t.name == kind)
    recorder = declared.recorded_by
    case, agency = page.case, page.agency
    if case.erased or (case.closed and not declared.on_closed_case):
        return False
    if kind in ON_CLOSED_ONLY and not case.closed:
        return False
    if kind in MERGING and case.merged_into is not None:
        return False
    if recorder is Recorder.LEAD:
        return agency == case.lead_agency
    if recorder is Recorder.ADDRESSEE:
        return any(r.to_agency == agency and r.is_open for r in case.referrals.values())
    if recorder is Recorder.DPO:
        return False
    return agency in case.involved or agency == case.lead_agency
