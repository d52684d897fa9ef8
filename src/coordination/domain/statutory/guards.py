"""The rule book's rules, one guard each; every guard raises an error from `errors`."""

from consent import StatutoryRule
from coordination.domain.identity import AgencyKind
from coordination.domain.rules import SLUG
from coordination.domain.statutory.entries import RuleEntry
from coordination.domain.statutory.errors import (
    DuplicateRule,
    EmptyRule,
    NoReason,
    NotASlug,
    RuleIsRetired,
    UnknownAgencyKind,
    UnknownRule,
    ValidityReversed,
)

KINDS = frozenset(kind.value for kind in AgencyKind)


def check_well_formed(rule: StatutoryRule) -> None:
    if not SLUG.fullmatch(rule.rule_id):
        raise NotASlug(rule.rule_id)
    for what, given in (("sending agency kind", rule.from_kinds),
                        ("receiving agency kind", rule.to_kinds),
                        ("category", rule.categories)):  # fmt: skip
        if not given:
            raise EmptyRule(what)
    if unknown := sorted((rule.from_kinds | rule.to_kinds) - KINDS):
        raise UnknownAgencyKind(unknown)
    if rule.valid_until is not None and rule.valid_until < rule.valid_from:
        raise ValidityReversed
    if not rule.norm.citation.strip() or not rule.norm.text.strip():
        raise EmptyRule("norm: its citation and what it permits")


def check_reason(reason: str) -> None:
    if not reason.strip():
        raise NoReason


def check_new(entries: dict[str, RuleEntry], rule_id: str) -> None:
    """A rule id is taken for good, by a retired rule too: the history names one rule."""
    if rule_id in entries:
        raise DuplicateRule(rule_id)


def check_open(entries: dict[str, RuleEntry], rule_id: str) -> RuleEntry:
    entry = entries.get(rule_id)
    if entry is None:
        raise UnknownRule(rule_id)
    if entry.retired_at is not None:
        raise RuleIsRetired(rule_id)
    return entry
