"""The current state of a case as one reader may see it (same rule as events)."""

from dataclasses import asdict
from typing import Any

from consent import Category
from coordination.domain.case import Case, CaseOpened, ReferralSent
from coordination.domain.visibility import Sight, View, view_event, view_part


def view_case(case: Case, sight: Sight) -> View:
    opening = view_event(
        CaseOpened.__name__,
        {"person": case.person, "municipality": case.municipality,
         "arrived_on": case.arrived_on, "residence_status": case.residence_status},
        case.opened_by, sight,
    )  # fmt: skip
    view = View(_administration(case, sight), set(opening.withheld), dict(opening.read))
    assert view.data is not None
    view.data.update((opening.data or {}) | {"municipality": case.municipality})
    view.data["referrals"] = _referrals(case, sight, view)
    for key, category, parts in (
        ("courses", Category.LANGUAGE, case.courses.values()),
        ("agreements", Category.INTEGRATION_PLAN, case.agreements.values()),
        ("qualifications", Category.EDUCATION, case.qualifications.values()),
    ):
        view.data[key] = _parts(list(parts), category, sight, view)
    return view


def _administration(case: Case, sight: Sight) -> dict[str, Any]:
    return {
        "status": "closed" if case.closed else "open",
        "erased": case.erased,
        "merged_into": case.merged_into,
        "lead_agency": case.lead_agency,
        "opened_at": case.created_on,
        "last_event_at": case.modified_on,
        "consents": [
            {"consent_id": c.consent_id, "recipients": sorted(c.recipients),
             "purposes": sorted(c.purposes), "categories": sorted(c.categories),
             "given_on": c.given_on, "expires_at": c.expires_at,
             "withdrawn_at": c.withdrawn_at, "status": c.status(sight.at)}
            for c in case.ledger.consents.values()
        ],
    }  # fmt: skip


def _referrals(case: Case, sight: Sight, view: View) -> list[dict[str, Any]]:
    shown = []
    for r in case.referrals.values():
        seen = view_event(
            ReferralSent.__name__, asdict(r), r.from_agency, sight,
            (r.from_agency, r.to_agency, r.categories),
        )  # fmt: skip
        view.merge(seen)
        if seen.data is not None:
            shown.append(asdict(r))
    return shown


def _parts(parts: list[Any], category: Category, sight: Sight, view: View) -> list[dict[str, Any]]:
    shown = []
    for part in parts:
        seen = view_part(asdict(part), part.recorded_by, category, sight)
        view.merge(seen)
        if seen.data is not None:
            shown.append(seen.data)
    return shown
