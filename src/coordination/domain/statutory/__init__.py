"""The statutory rule book: transfers a statute permits, recorded as events of a stream
of their own (ADR 0038). The pure policy that reads it is `consent.statute`."""

from coordination.domain.statutory.book import BOOK_ID, RuleBook
from coordination.domain.statutory.entries import RuleEntry
from coordination.domain.statutory.errors import (
    DuplicateRule,
    EmptyRule,
    InvalidRule,
    NoReason,
    NotASlug,
    RuleConflict,
    RuleIsRetired,
    RuleRefused,
    UnknownAgencyKind,
    UnknownRule,
    ValidityReversed,
)
from coordination.domain.statutory.events import (
    BOOK_EVENTS,
    BookEvent,
    RuleAdded,
    RuleBookOpened,
    RuleChanged,
    RuleRetired,
)
from coordination.domain.statutory.starter import (
    STARTER_ACTOR,
    STARTER_REASON,
    STARTER_SET,
    starter_book,
)

__all__ = [
    "BOOK_EVENTS", "BOOK_ID", "STARTER_ACTOR", "STARTER_REASON", "STARTER_SET", "BookEvent",
    "DuplicateRule", "EmptyRule", "InvalidRule", "NoReason", "NotASlug", "RuleAdded",
    "RuleBook", "RuleBookOpened", "RuleChanged", "RuleConflict", "RuleEntry",
    "RuleIsRetired", "RuleRefused", "RuleRetired", "UnknownAgencyKind", "UnknownRule",
    "ValidityReversed", "starter_book",
]  # fmt: skip
