"""/v1/statutory-rules: the rule book of transfers a statute permits (ADR 0038).

Every role may read the rules and their history: the law is public. Only an admin adds,
changes or retires a rule, always with a reason; the book records who and when.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from coordination.contract.statutory import AddRule, ChangeRule, RetireRule
from coordination.domain.identity import Caller, Role
from coordination.domain.rules import SLUG
from coordination.entrypoints.api.deps import ServicesDep, require
from coordination.entrypoints.api.responses import problem_responses
from coordination.entrypoints.api.statutory_models import (
    BookEntryOut,
    RuleBookHistoryOut,
    RuleRecordedOut,
    StatutoryRulesOut,
)
from coordination.services.statutory import Editor, RuleRecorded

router = APIRouter(prefix="/v1/statutory-rules", tags=["statutory rules"])

Reader = Annotated[Caller, Depends(require(*Role))]
Admin = Annotated[Caller, Depends(require(Role.ADMIN, json=True))]
READ_ERRORS = problem_responses(401, 403, 503)
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 422, 503)
RuleId = Annotated[
    str, Path(pattern=f"^{SLUG.pattern}$", examples=["aufenthg-88a-improper-participation"])
]


@router.get("", response_model=StatutoryRulesOut, responses=READ_ERRORS)
def list_statutory_rules(caller: Reader, svc: ServicesDep) -> StatutoryRulesOut:
    """Every rule of the book, retired ones too, with its status now."""
    return StatutoryRulesOut.of(svc.statutory.rules())


@router.get("/history", response_model=RuleBookHistoryOut, responses=READ_ERRORS)
def get_statutory_rule_history(caller: Reader, svc: ServicesDep) -> RuleBookHistoryOut:
    """Every change to the book, oldest first: what, who, when and why."""
    return RuleBookHistoryOut(events=[BookEntryOut.of(e) for e in svc.statutory.history()])


@router.post("", status_code=201, response_model=RuleRecordedOut, responses=WRITE_ERRORS)
def add_statutory_rule(body: AddRule, caller: Admin, svc: ServicesDep) -> JSONResponse:
    rule = body.rule(body.rule_id)
    return _answer(svc.statutory.add(Editor.of(caller), rule, body.reason), 201)


@router.put("/{rule_id}", response_model=RuleRecordedOut, responses=WRITE_ERRORS)
def change_statutory_rule(
    rule_id: RuleId, body: ChangeRule, caller: Admin, svc: ServicesDep
) -> JSONResponse:
    """The rule as it reads from now on, whole; the version before stays in the history."""
    return _answer(svc.statutory.change(Editor.of(caller), body.rule(rule_id), body.reason), 200)


@router.post("/{rule_id}/retirement", status_code=201, response_model=RuleRecordedOut,
             responses=WRITE_ERRORS)  # fmt: skip
def retire_statutory_rule(
    rule_id: RuleId, body: RetireRule, caller: Admin, svc: ServicesDep
) -> JSONResponse:
    """From now on the rule permits nothing; for instants before, it still answers."""
    return _answer(svc.statutory.retire(Editor.of(caller), rule_id, body.reason), 201)


def _answer(recorded: RuleRecorded, status: int) -> JSONResponse:
    body = RuleRecordedOut.of(recorded).model_dump(mode="json")
    return JSONResponse(body, status, {"X-Event-Position": str(recorded.position)})
