"""Errors the case raises when a command breaks one of its rules."""

from collections.abc import Iterable


class DomainError(Exception):
    """Base class: a command was refused and nothing was recorded."""


class InvalidEvent(DomainError):
    """The event breaks a rule of the case (the contract's `invalid-event`)."""


class NotPermitted(InvalidEvent):
    """The recording agency may not record this event on this case."""


class CaseIsClosed(InvalidEvent):
    def __init__(self) -> None:
        super().__init__(
            "the case is closed; only ConsentWithdrawn, EmergencyAccessEnded, PersonCorrected,"
            " CaseReopened and CaseMerged may follow"
        )


class CaseIsErased(InvalidEvent):
    def __init__(self) -> None:
        super().__init__("the case was erased; nothing more can be recorded on it")


class PartIsErased(CaseIsErased):
    """The caller's controller erased its part of the case: its agencies record no more."""

    def __init__(self, controller: str) -> None:
        InvalidEvent.__init__(
            self, f"the controller '{controller}' erased its part of this case; its agencies"
            " can record nothing more on it",
        )  # fmt: skip


class UnknownReference(InvalidEvent):
    def __init__(self, kind: str, ref: str) -> None:
        super().__init__(f"no {kind} '{ref}' on this case")


class WrongState(InvalidEvent):
    def __init__(self, kind: str, ref: str, state: str, expected: str) -> None:
        super().__init__(f"{kind} '{ref}' is {state}; this needs it {expected}")


class DuplicateId(InvalidEvent):
    def __init__(self, ref: str) -> None:
        super().__init__(f"id '{ref}' is already used on this case")


class ConsentRequired(DomainError):
    """No active consent covers a disclosure the event would make."""

    def __init__(self, recipient: str, purpose: str, categories: Iterable[str]) -> None:
        self.recipient = recipient
        self.purpose = purpose
        self.categories = sorted(categories)
        super().__init__(
            f"no active consent names '{recipient}' for '{purpose}' "
            f"with {', '.join(self.categories)}"
        )


class ConsentRecorderRefused(DomainError):
    """The agency may not record this consent: it did not obtain it and does not lead
    the case, or the consent names it as a recipient (it would widen its own access)."""


class ConsentOwnAccess(ConsentRecorderRefused):
    def __init__(self, agency: str) -> None:
        super().__init__(
            f"'{agency}' is a recipient of this consent: an agency never records a consent "
            "that widens its own access; the agency that obtained it or the lead agency does",
        )


class ConsentNotObtained(ConsentRecorderRefused):
    def __init__(self, agency: str, obtained_by: str, lead: str) -> None:
        super().__init__(
            f"'{agency}' did not obtain this consent ('{obtained_by}' did) and does not lead "
            f"the case ('{lead}' does): only they may record it",
        )
