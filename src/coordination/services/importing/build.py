"""An imported history, replayed through the Case aggregate's own commands.

Each event is decided by the command that POST /v1/cases/{id}/events would call,
with the event's own agency and time, so every rule that guards a live write
(consent before disclosure, who may answer a referral, nothing after closing, …)
guards the import too, judged as things stood when the event happened.
"""

from collections.abc import Set
from typing import Any

from coordination.domain.case import Case
from coordination.domain.catalogue import CATALOGUE
from coordination.domain.errors import ConsentRequired, DomainError
from coordination.domain.grounds import NO_STATUTE, Grounds
from coordination.domain.policy import DEFAULT_POLICY, Policy
from coordination.services.importing.lines import ImportedCase, ImportedEvent
from coordination.services.importing.problems import LineProblem, LineRefused


def build(
    case: ImportedCase, agencies: Set[str], policy: Policy = DEFAULT_POLICY,
    grounds: Grounds = NO_STATUTE,
) -> Case:  # fmt: skip
    """The case with its history as pending events, or LineRefused on the first broken rule.
    `grounds`: the rule book and the registered agencies' kinds. The book is asked as it
    stood at each event's time, as the consent trail asks it afterwards: a rule recorded
    after an event does not cover it."""
    opening, *later = case.events
    _check_agency(case, 0, opening, agencies)
    built = Case.open(opening.by, opening.at, case_id=case.case_id, **opening.fields)
    for i, event in enumerate(later, start=1):
        _check_agency(case, i, event, agencies)
        _check_related(case, i, event, built)
        try:
            _decide(built, event, agencies, policy, grounds)
        except DomainError as broken:
            raise LineRefused([_rule_problem(case.line, i, broken)]) from None
    return built


def _decide(
    case: Case, event: ImportedEvent, agencies: Set[str], policy: Policy, grounds: Grounds
) -> None:
    CATALOGUE[event.kind].decide(
        case, event.by, event.at, event.fields,
        is_known_agency=agencies.__contains__, policy=policy, grounds=grounds,
    )  # fmt: skip


def _check_agency(case: ImportedCase, i: int, event: ImportedEvent, agencies: Set[str]) -> None:
    if event.by.agency not in agencies:
        detail = f"agency '{event.by.agency}' is not registered (coordination agencies add)"
        raise LineRefused([_invalid(case.line, i, detail, "recorded_by")])


def _check_related(case: ImportedCase, i: int, event: ImportedEvent, built: Case) -> None:
    # A live write by an agency without a relation to the case answers 404.
    if event.by.agency not in built.involved:
        detail = f"agency '{event.by.agency}' has no relation to the case at this point"
        raise LineRefused([_invalid(case.line, i, detail, "recorded_by")])


def _invalid(line: int, i: int, detail: str, where: str) -> LineProblem:
    return LineProblem(line, "invalid-event", detail, ("events", i, where), i)


def _rule_problem(line: int, i: int, broken: DomainError) -> LineProblem:
    if isinstance(broken, ConsentRequired):
        extra: dict[str, Any] = {"recipient": broken.recipient, "purpose": broken.purpose,
                                 "categories": broken.categories}  # fmt: skip
        return LineProblem(line, "consent-required", str(broken), ("events", i), i, extra)
    return LineProblem(line, "invalid-event", str(broken), ("events", i), i)
