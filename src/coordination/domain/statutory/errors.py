"""What the rule book raises when a command breaks one of its rules; nothing is recorded."""

from coordination.domain.errors import DomainError


class RuleRefused(DomainError):
    """Base class: the rule book refused a command."""


class InvalidRule(RuleRefused):
    """The rule as given cannot be in the book (the problem `invalid-rule`)."""


class NotASlug(InvalidRule):
    def __init__(self, rule_id: str) -> None:
        super().__init__(f"rule id '{rule_id}' is not a slug ([a-z0-9][a-z0-9-]{{1,62}})")


class UnknownAgencyKind(InvalidRule):
    def __init__(self, kinds: list[str]) -> None:
        super().__init__(f"unknown agency kinds: {', '.join(kinds)}")


class EmptyRule(InvalidRule):
    def __init__(self, what: str) -> None:
        super().__init__(f"a rule names at least one {what}")


class ValidityReversed(InvalidRule):
    def __init__(self) -> None:
        super().__init__("valid_until lies before valid_from")


class NoReason(InvalidRule):
    def __init__(self) -> None:
        super().__init__("a change to the rule book gives its reason")


class RuleConflict(RuleRefused):
    """The command clashes with what the book holds (the problem `conflict`)."""


class DuplicateRule(RuleConflict):
    def __init__(self, rule_id: str) -> None:
        super().__init__(f"the rule book holds a rule '{rule_id}' already")


class RuleIsRetired(RuleConflict):
    def __init__(self, rule_id: str) -> None:
        super().__init__(f"rule '{rule_id}' is retired; it can be neither changed nor retired")


class UnknownRule(RuleRefused):
    def __init__(self, rule_id: str) -> None:
        super().__init__(f"the rule book holds no rule '{rule_id}'")
