"""/v1/statutory-rules: the starter set on a fresh store, admins changing the book with
reasons, every role reading it, and bad input answered as a problem."""

from datetime import UTC, datetime
from typing import Any

import pytest

from coordination.bootstrap import migrate
from coordination.domain.identity import Role
from coordination.domain.statutory import STARTER_SET
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.support import FakeClock

RULES = "/v1/statutory-rules"
PROBLEM = "application/problem+json"
AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)  # the suite's clock
BODY: dict[str, Any] = {
    "rule_id": "land-integration-plan", "from_kinds": ["kommune"],
    "to_kinds": ["integrationsmanagement"], "categories": ["integration_plan"],
    "purpose": "case_management",
    "norm": {"citation": "§ 5 Landesintegrationsgesetz (example)",
             "text": "the municipality passes the integration plan to its integration managers"},
    "valid_from": "2026-01-01", "reason": "Land law of this deployment, reviewed by the DPO",
}  # fmt: skip
CHANGE: dict[str, Any] = {k: v for k, v in BODY.items() if k != "rule_id"} | {
    "categories": ["integration_plan", "counselling"], "valid_until": "2027-12-31",
    "reason": "the Land amended § 5",
}  # fmt: skip


@pytest.fixture
def admin(api: Api) -> str:
    return api.agency("kommune-mayen-koblenz", role=Role.ADMIN)


def problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code


def test_a_fresh_store_holds_the_starter_set_recorded_once(api: Api, settings: Settings) -> None:
    reader = api.agency("mbe-caritas-mayen")
    listed = api.as_(reader, "GET", RULES)
    assert listed.status_code == 200, listed.text
    rules = listed.json()["rules"]
    assert [r["rule_id"] for r in rules] == sorted(r.rule_id for r in STARTER_SET)
    assert {r["status"] for r in rules} == {"in_force"}
    assert all(r["norm"]["citation"] and r["norm"]["text"] for r in rules)

    migrate(settings)  # as every `coordination serve` does at start
    events = api.as_(reader, "GET", f"{RULES}/history").json()["events"]
    assert [e["type"] for e in events] == ["RuleBookOpened"] + ["RuleAdded"] * len(STARTER_SET)
    assert {(e["recorded_by"]["agency"], e["recorded_by"]["token_label"]) for e in events} == {
        ("system", "starter-set")
    }
    assert {e["reason"] for e in events[1:]} == {"in force by law"}
    assert api.as_(reader, "GET", RULES).json()["book_version"] == len(events)


def test_an_admin_adds_changes_and_retires_a_rule_and_the_history_says_who_when_why(
    api: Api, admin: str, clock: FakeClock
) -> None:
    added = api.as_(admin, "POST", RULES, json=BODY)
    assert added.status_code == 201, added.text
    assert int(added.headers["X-Event-Position"]) > len(STARTER_SET)
    assert added.json()["rule"] | {"norm": None} == {
        "rule_id": "land-integration-plan", "from_kinds": ["kommune"],
        "to_kinds": ["integrationsmanagement"], "categories": ["integration_plan"],
        "purpose": "case_management", "norm": None, "valid_from": "2026-01-01",
        "valid_until": None, "status": "in_force", "added_at": "2026-09-01T09:00:00Z",
        "recorded_at": "2026-09-01T09:00:00Z", "retired_at": None,
    }  # fmt: skip

    clock.advance(days=1)
    changed = api.as_(admin, "PUT", f"{RULES}/land-integration-plan", json=CHANGE)
    assert changed.status_code == 200, changed.text
    assert changed.json()["rule"]["categories"] == ["counselling", "integration_plan"]
    assert changed.json()["rule"]["added_at"] == "2026-09-01T09:00:00Z"

    clock.advance(days=1)
    retired = api.as_(admin, "POST", f"{RULES}/land-integration-plan/retirement",
                      json={"reason": "repealed"})  # fmt: skip
    assert retired.status_code == 201, retired.text
    assert retired.json()["rule"]["status"] == "retired"

    history = api.as_(admin, "GET", f"{RULES}/history").json()["events"][-3:]
    assert [(e["type"], e["recorded_at"], e["reason"]) for e in history] == [
        ("RuleAdded", "2026-09-01T09:00:00Z", BODY["reason"]),
        ("RuleChanged", "2026-09-02T09:00:00Z", "the Land amended § 5"),
        ("RuleRetired", "2026-09-03T09:00:00Z", "repealed"),
    ]
    assert {e["recorded_by"]["agency"] for e in history} == {"kommune-mayen-koblenz"}
    assert history[1]["rule"]["valid_until"] == "2027-12-31"


def test_the_statute_answers_as_the_book_stood(api: Api, admin: str, clock: FakeClock) -> None:
    api.as_(admin, "POST", RULES, json=BODY)
    clock.advance(days=1)
    api.as_(admin, "POST", f"{RULES}/land-integration-plan/retirement", json={"reason": "r"})
    # The test's own process: its book in memory catches up with the server's writes.
    statute = api.services.statutory.statute()
    ids = [r.rule_id for r in statute.rules_at(AT)]
    assert "land-integration-plan" in ids
    assert "land-integration-plan" not in [r.rule_id for r in statute.rules_at(clock.now)]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.AUDITOR, Role.DPO])
def test_every_role_reads_the_rules_but_only_an_admin_changes_them(api: Api, role: Role) -> None:
    who = api.agency("jobcenter-mayen-koblenz", role=role)
    assert api.as_(who, "GET", RULES).status_code == 200
    assert api.as_(who, "GET", f"{RULES}/history").status_code == 200
    some_rule = f"{RULES}/{STARTER_SET[0].rule_id}"
    problem(api.as_(who, "POST", RULES, json=BODY), 403, "forbidden")
    problem(api.as_(who, "PUT", some_rule, json=CHANGE), 403, "forbidden")
    problem(api.as_(who, "POST", f"{some_rule}/retirement", json={"reason": "r"}), 403,
            "forbidden")  # fmt: skip
    assert len(api.as_(who, "GET", f"{RULES}/history").json()["events"]) == 1 + len(STARTER_SET)


def test_without_a_token_nothing_is_read(api: Api) -> None:
    problem(api.client.get(RULES), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"surprise": 1}, 422, "validation-error"),
        ({"to_kinds": ["police"]}, 422, "validation-error"),
        ({"categories": []}, 422, "validation-error"),
        ({"purpose": "everything"}, 422, "validation-error"),
        ({"rule_id": "Not A Slug"}, 422, "validation-error"),
        ({"reason": ""}, 422, "validation-error"),
        ({"valid_until": "2025-12-31"}, 422, "invalid-rule"),
        ({"rule_id": STARTER_SET[0].rule_id}, 409, "conflict"),
    ],
)
def test_a_bad_addition_is_refused_as_a_problem(
    api: Api, admin: str, change: dict[str, Any], status: int, code: str
) -> None:
    problem(api.as_(admin, "POST", RULES, json=BODY | change), status, code)


def test_changes_to_rules_not_in_the_book_or_retired_are_refused(api: Api, admin: str) -> None:
    problem(api.as_(admin, "PUT", f"{RULES}/no-such-rule", json=CHANGE), 404, "not-found")
    problem(api.as_(admin, "POST", f"{RULES}/no-such-rule/retirement", json={"reason": "r"}),
            404, "not-found")  # fmt: skip
    starter = f"{RULES}/{STARTER_SET[0].rule_id}"
    assert api.as_(admin, "POST", f"{starter}/retirement", json={"reason": "r"}).status_code == 201
    problem(api.as_(admin, "POST", f"{starter}/retirement", json={"reason": "r"}), 409,
            "conflict")  # fmt: skip
    problem(api.as_(admin, "PUT", starter, json=CHANGE), 409, "conflict")


def test_a_body_that_is_not_json_is_a_bad_request(api: Api, admin: str) -> None:
    problem(api.as_(admin, "POST", RULES, content=b"{", headers={
        "Content-Type": "application/json"}), 400, "bad-request")  # fmt: skip
    problem(api.as_(admin, "POST", RULES, content=b"x", headers={
        "Content-Type": "text/plain"}), 400, "bad-request")  # fmt: skip
