"""Examples of the case answers in the OpenAPI document: the example case of
`contract/examples.py` as the migration service it was referred to reads it, built
from the catalogue's example events so that the two never tell different stories."""

from typing import Any

from coordination.contract.events import example_data, example_event
from coordination.contract.examples import AT, CASE_ID
from coordination.domain.catalogue import CATALOGUE
from coordination.entrypoints.api.problems import PROBLEM_TYPES

OPENED = example_data(CATALOGUE["CaseOpened"])
CONSENT = example_data(CATALOGUE["ConsentGranted"])
REFERRAL = example_data(CATALOGUE["ReferralSent"])
# The first events of the example case, in the order it recorded them.
HISTORY: list[dict[str, Any]] = [
    example_event(CATALOGUE[name], version)
    for version, name in enumerate(("CaseOpened", "ConsentGranted", "ReferralSent"), 1)
]

CASE_CREATED: dict[str, Any] = {"case_id": CASE_ID, "version": 1, "possible_duplicate": False}
EVENT_RECORDED: dict[str, Any] = {"case_id": CASE_ID, "version": 3, "event": HISTORY[2]}
CASE_HISTORY: dict[str, Any] = {"case_id": CASE_ID, "events": HISTORY, "next_after_version": None}

CASE_STATE: dict[str, Any] = {
    "case_id": CASE_ID, "version": 4, "status": "open", "erased": False, "merged_into": None,
    "municipality": OPENED["municipality"], "lead_agency": "abh-leipzig",
    "opened_at": AT, "last_event_at": "2026-10-05T08:30:00Z",
    "person": OPENED["person"], "arrived_on": OPENED["arrived_on"],
    "consents": [{
        "consent_id": CONSENT["consent_id"], "recipients": CONSENT["recipients"],
        "purposes": CONSENT["purposes"], "categories": sorted(CONSENT["categories"]),
        "given_on": CONSENT["given_on"], "expires_at": "2027-08-31T22:00:00Z",
        "withdrawn_at": None, "status": "active"}],
    "referrals": [{
        "referral_id": REFERRAL["referral_id"], "from_agency": "abh-leipzig",
        "to_agency": REFERRAL["to_agency"], "purpose": REFERRAL["purpose"],
        "categories": REFERRAL["categories"], "status": "accepted"}],
    "courses": [], "agreements": [], "qualifications": [],
    "withheld": ["residence"],
}  # fmt: skip

CASELOAD: dict[str, Any] = {
    "items": [{
        "case_id": CASE_ID, "display_name": "Amina Haddad", "municipality": "leipzig",
        "roles": ["referral_recipient"], "open_referrals": 0, "active_courses": 0,
        "next_milestone": None, "overdue_milestones": 0,
        "overdue_by_side": {"person": 0, "agency": 0}, "reviews_due": 0,
        "last_event_at": "2026-10-05T08:30:00Z", "action_needed": False}],
    "next_cursor": None,
}  # fmt: skip


def _problem(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": PROBLEM_TYPES + code, "title": title, "status": status, "detail": detail,
            "code": code, **extra}  # fmt: skip


# A problem of each status, as the service answers it.
PROBLEMS: dict[int, dict[str, Any]] = {
    400: _problem(400, "bad-request", "Bad request", "the body is not valid JSON"),
    401: _problem(401, "unauthenticated", "Unauthenticated", "missing or unknown bearer token"),
    403: _problem(
        403, "consent-required", "No active consent covers this disclosure",
        "no active consent lets abh-leipzig disclose residence to mbe-caritas-leipzig",
        recipient="mbe-caritas-leipzig", purpose="counselling", categories=["residence"],
    ),
    404: _problem(404, "not-found", "Not found", "no such case"),
    409: _problem(409, "conflict", "Request still in flight",
                  "a request with this Idempotency-Key is still being answered"),
    412: _problem(412, "version-mismatch", "The case is not at the expected version",
                  "the case is at version 4, not 3", current_version=4),
    413: _problem(413, "payload-too-large", "Payload too large", "the body is too large"),
    422: _problem(422, "invalid-event", "The event breaks a rule of the case",
                  "referral referral-1 is already accepted"),
    429: _problem(429, "rate-limited", "Too many requests", "try again in 2 seconds"),
    503: _problem(503, "unavailable", "Service unavailable",
                  "the caseload has not yet taken in position 1834; try again"),
}  # fmt: skip
