"""Consent model and policy: pure code, no I/O, imports nothing of the service."""

from consent.ledger import ConsentLedger, DisclosureDecision
from consent.record import Consent, ConsentStatus, end_of_validity, start_of_day
from consent.statute import EMPTY_STATUTE, Norm, RuleVersion, Statute, StatutoryRule
from consent.vocabulary import SPECIAL_CATEGORIES, Category, EvidenceMethod, Purpose

__all__ = [
    "EMPTY_STATUTE",
    "SPECIAL_CATEGORIES",
    "Category",
    "Consent",
    "ConsentLedger",
    "ConsentStatus",
    "DisclosureDecision",
    "EvidenceMethod",
    "Norm",
    "Purpose",
    "RuleVersion",
    "Statute",
    "StatutoryRule",
    "end_of_validity",
    "start_of_day",
]
