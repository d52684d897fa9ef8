"""The contract's event types, mapped to the Case commands that record them."""

from collections.abc import Callable
from typing import Any

from coordination.domain.case import Case, CaseEvent

COMMANDS: dict[str, Callable[..., object]] = {
    "ConsentGranted": Case.grant_consent,
    "ConsentWithdrawn": Case.withdraw_consent,
    "ReferralSent": Case.send_referral,
    "ReferralAccepted": Case.accept_referral,
    "ReferralDeclined": Case.decline_referral,
    "ReferralCompleted": Case.complete_referral,
    "CourseAssigned": Case.assign_course,
    "CourseCompleted": Case.complete_course,
    "AgreementConcluded": Case.conclude_agreement,
    "MilestoneMet": Case.meet_milestone,
    "MilestoneRescheduled": Case.reschedule_milestone,
    "QualificationRecorded": Case.record_qualification,
    "RecognitionDecided": Case.decide_recognition,
    "CaseTransferred": Case.transfer,
    "CaseClosed": Case.close,
}

_METADATA = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp",
     "recorded_by", "token_label", "_erased"}
)  # fmt: skip


def event_type(event: CaseEvent) -> str:
    return type(event).__name__


def event_data(event: CaseEvent) -> dict[str, Any]:
    """What happened, without the envelope every event carries."""
    return {k: v for k, v in vars(event).items() if k not in _METADATA}
