"""Who sees what: the contract's read rule, as pure functions over events.

An agency reads an event's data when it recorded the event, or when an active
consent names it, covers the event's category and, if it names who may disclose,
names the agency that recorded the event. Case administration
(consents, transfer, closing) is visible to every agency related to the case.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consent import Category, Purpose
from coordination.domain.catalogue import declared
from coordination.domain.declaration import Reading
from coordination.domain.values import CONTACT_FIELDS, IDENTITY_FIELDS

# The referral itself (who, what purpose, status) is for sender and addressee.
REFERRAL_METADATA = ("referral_id", "to_agency", "purpose", "categories")
FREE_TEXT = frozenset({"reason", "note", "outcome"})


def nothing(recorded_by: str) -> Mapping[Category, str]:
    return {}


@dataclass(frozen=True)
class Sight:
    """What one reader may see of one case at the moment of reading."""

    agency: str
    at: datetime
    # Of data an agency recorded: category -> the consent that lets the reader see it
    # (a consent may name the agencies that may disclose under it).
    readable: Callable[[str], Mapping[Category, str]] = nothing
    everything: bool = False  # auditors read every event whole
    metadata_only: bool = False  # data-protection officers see no payloads
    purpose: Purpose | None = None  # the purpose the reader named, if any

    def may_read(self, category: Category, recorded_by: str) -> bool:
        if self.everything:
            return True
        return not self.metadata_only and category in self.readable(recorded_by)

    def basis(self, categories: Iterable[Category], recorded_by: str) -> dict[Category, str]:
        readable = self.readable(recorded_by)
        return {c: readable[c] for c in categories if c in readable}


@dataclass
class View:
    """An event or a case as one reader sees it, and what reading it used."""

    data: dict[str, Any] | None
    withheld: set[Category] = field(default_factory=set)
    read: dict[Category, str] = field(default_factory=dict)  # under consent only

    def merge(self, other: "View") -> None:
        self.withheld |= other.withheld
        self.read.update(other.read)


def view_event(
    event_type: str,
    data: dict[str, Any],
    recorded_by: str,
    sight: Sight,
    referral: tuple[str, str, list[str]] | None = None,
) -> View:
    """`referral` is (sender, addressee, categories) for referral events. How an event
    type is read is declared on its class (`declared(event_type).read_under`)."""
    if sight.everything or (recorded_by == sight.agency and not sight.metadata_only):
        return View(data)
    reading = declared(event_type).read_under
    if reading is Reading.OWN:
        return View(None)
    if reading is Reading.ADMINISTRATION:
        return View(_without_free_text(data) if sight.metadata_only else _for_related(data))
    if reading is Reading.PERSON:
        return view_person(data, recorded_by, sight)
    if reading is Reading.REFERRAL:
        assert referral is not None, "a referral event is read with its referral"
        return view_referral(data, recorded_by, sight, *referral)
    return view_whole(data, recorded_by, [reading], sight)


def view_part(data: dict[str, Any], recorded_by: str, category: Category, sight: Sight) -> View:
    """A part of the case (a course, an agreement, …), read as the event that made it."""
    if sight.everything or (recorded_by == sight.agency and not sight.metadata_only):
        return View(data)
    return view_whole(data, recorded_by, [category], sight)


def _without_free_text(data: dict[str, Any]) -> dict[str, Any]:
    """What a data-protection officer sees of administration: no reasons, no documents,
    a representative's standing but not their name; but why an emergency access was
    opened, which the officer reviews (ADR 0040)."""
    shown = {k: v for k, v in data.items() if k not in FREE_TEXT}
    if isinstance(shown.get("evidence"), dict):
        shown["evidence"] = {"method": shown["evidence"].get("method")}
    return _standing_only(shown)


def _for_related(data: dict[str, Any]) -> dict[str, Any]:
    """What another related agency sees of administration: not why an emergency access
    was opened (often health data), not who represented the person, only as what."""
    return _standing_only({k: v for k, v in data.items() if k != "justification"})


def _standing_only(shown: dict[str, Any]) -> dict[str, Any]:
    if isinstance(shown.get("legal_representative"), dict):
        representative = shown["legal_representative"]
        shown["legal_representative"] = {"representation": representative["representation"]}
    return shown


def view_whole(
    data: dict[str, Any], recorded_by: str, categories: list[Category], sight: Sight
) -> View:
    missing = {c for c in categories if not sight.may_read(c, recorded_by)}
    if missing:
        return View(None, missing)
    return View(data, read=sight.basis(categories, recorded_by))


def view_referral(
    data: dict[str, Any], recorded_by: str, sight: Sight, sender: str, addressee: str,
    categories: list[str],
) -> View:  # fmt: skip
    view = view_whole(data, recorded_by, [Category(c) for c in categories], sight)
    if view.data is None and sight.agency in (sender, addressee):
        view.data = {k: data[k] for k in REFERRAL_METADATA if k in data}
    return view


def view_person(data: dict[str, Any], recorded_by: str, sight: Sight) -> View:
    person = data.get("person") or {}
    parts = {
        Category.IDENTITY: {k: person.get(k) for k in IDENTITY_FIELDS},
        Category.CONTACT: {k: person.get(k) for k in CONTACT_FIELDS},
    }
    view = View(None)
    shown: dict[str, Any] = {}
    for category, fields in parts.items():
        if sight.may_read(category, recorded_by):
            shown.update(fields)
            view.read.update(sight.basis([category], recorded_by))
        else:
            view.withheld.add(category)
    result: dict[str, Any] = {"municipality": data.get("municipality")}
    if shown:
        result["person"] = shown
    if sight.may_read(Category.IDENTITY, recorded_by):
        result["arrived_on"] = data.get("arrived_on")
    if sight.may_read(Category.RESIDENCE, recorded_by):
        result["residence_status"] = data.get("residence_status")
        view.read.update(sight.basis([Category.RESIDENCE], recorded_by))
    else:
        view.withheld.add(Category.RESIDENCE)
    view.data = result if len(result) > 1 else None
    return view
