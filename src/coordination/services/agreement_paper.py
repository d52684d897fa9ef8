"""The integration agreement as it is printed (adapters/reports/agreement.py), built from
the case as the reader may see it: its state and its history, read through `CaseService`
with the consent gate and the access log of every read, and never otherwise.

The paper shows the agreement as it stands: cancelled steps are left out, added and moved
ones are as they are now. What the person brings and needs is read from the event that
concluded it. Health-related needs (`HealthNeedsRecorded`) are never put on the paper: it
goes to every agency that signs the agreement, and health is a special category (Art. 9
GDPR), read only under `health`.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from consent import Category, Purpose
from coordination.adapters.reports.agencies import AgencyContact
from coordination.adapters.reports.agreement import NO_VALUE, AgreementPaper, Step
from coordination.adapters.reports.labels import Language, day_of, paper_languages
from coordination.application.errors import CaseNotFound
from coordination.domain.case import AgreementAcknowledged, AgreementConcluded, Case
from coordination.domain.errors import ConsentRequired
from coordination.domain.identity import Caller
from coordination.domain.values import Side
from coordination.domain.visibility import View
from coordination.services.cases import CaseService, SeenEvent

Contacts = Callable[[Iterable[str]], dict[str, AgencyContact]]


@dataclass(frozen=True)
class PrintedAgreement:
    paper: AgreementPaper
    # The person's languages (ISO 639), then the one they signed the agreement in.
    person_languages: list[str]

    def languages(self, asked: Language | None = None) -> list[Language]:
        """German, then the language asked for, or else the first of the person's that
        the papers print in, as for the consent declaration."""
        return paper_languages([asked.value] if asked else self.person_languages)


def read_agreement(
    cases: CaseService, contacts: Contacts, caller: Caller, case_id: UUID, agreement_id: str
) -> PrintedAgreement:
    """The agreement as the caller may read the case, both reads logged as any read is.

    CaseNotFound: no such case or agreement, or no relation to the case (as a case read).
    ConsentRequired: the case's integration plan is withheld from the caller, so whether
    the agreement exists is not told either.
    """
    case, view = cases.read_case(caller, case_id)
    history = cases.read_history(caller, case_id)
    printed = agreement_paper(case, view, history, agreement_id, contacts, cases.app.clock())
    if printed is not None:
        return printed
    if Category.INTEGRATION_PLAN in view.withheld:
        raise ConsentRequired(caller.agency_id, Purpose.CASE_MANAGEMENT,
                              [Category.INTEGRATION_PLAN])  # fmt: skip
    raise CaseNotFound


def agreement_paper(
    case: Case, view: View, history: Sequence[SeenEvent], agreement_id: str,
    contacts: Contacts, at: datetime,
) -> PrintedAgreement | None:  # fmt: skip
    """None: the case, as read, holds no such agreement (or holds nothing: erased)."""
    data = view.data or {}
    found = [a for a in data.get("agreements", ()) if a["agreement_id"] == agreement_id]
    if data.get("erased") or not found:
        return None
    agreement = found[0]
    steps = sorted((m for m in agreement["milestones"].values() if m["cancelled_on"] is None),
                   key=lambda m: (m["due_on"], m["title"] or ""))  # fmt: skip
    signers = [agreement["recorded_by"], *agreement["parties"]]
    order = list(dict.fromkeys([*signers, *(m["responsible_agency"] for m in steps)]))
    agencies = contacts(order)
    concluded = _seen(history, AgreementConcluded, agreement_id)
    brings = concluded.get("brings") or {}
    person = data.get("person") or {}
    paper = AgreementPaper(
        case_id=str(case.id), person_name=_name(person),
        date_of_birth=day_of(person.get("date_of_birth")), concluded_by=agencies[signers[0]],
        parties=[agencies[a] for a in signers[1:]], signed_on=agreement["signed_on"],
        language_level=brings.get("language_level"), brings=brings.get("summary"),
        needs=list(concluded.get("needs") or ()),
        commitments=[_step(m, agencies) for m in steps if m["owner"] == Side.PERSON],
        offers=[_step(m, agencies) for m in
                sorted(steps, key=lambda m: order.index(m["responsible_agency"]))
                if m["owner"] != Side.PERSON],
        next_review_on=agreement["next_review_on"], ended_on=agreement["ended_on"],
        prepared_at=at,
    )  # fmt: skip
    signed_in = _seen(history, AgreementAcknowledged, agreement_id).get("language")
    return PrintedAgreement(paper, [*(person.get("languages") or ()), signed_in or ""])


def _seen(history: Sequence[SeenEvent], kind: type, agreement_id: str) -> dict[str, Any]:
    """The latest event of this kind on the agreement, as the reader sees it; {} if none."""
    for seen in reversed(history):
        event = seen.event
        if isinstance(event, kind) and getattr(event, "agreement_id", None) == agreement_id:
            return seen.view.data or {}
    return {}


def _step(milestone: dict[str, Any], agencies: dict[str, AgencyContact]) -> Step:
    return Step(milestone["title"] or NO_VALUE, milestone["due_on"], milestone["area"],
                agencies[milestone["responsible_agency"]], milestone["met_on"])  # fmt: skip


def _name(person: dict[str, Any]) -> str | None:
    names = [person.get("given_name"), person.get("family_name")]
    return " ".join(n for n in names if n) or None
