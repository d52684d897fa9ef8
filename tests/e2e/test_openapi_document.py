"""The OpenAPI document an agency's developer generates a client from: valid, with
readable operation ids, the roles each operation needs, the headers answers carry, and
every problem code the service can answer."""

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from coordination.domain.catalogue import CATALOGUE
from coordination.entrypoints.api.app import create_app
from coordination.entrypoints.api.problems import CODES
from coordination.settings import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(Settings(database_url="sqlite:///never-opened.db", log_level="WARNING"))
    spec: dict[str, Any] = app.openapi()
    return spec


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for ops in document["paths"].values() for op in ops.values()}


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_operations_are_named_as_a_client_would_call_them(document: dict[str, Any]) -> None:
    named = operations(document)
    for expected in ("open_case", "record_event", "get_case", "get_history", "get_feed",
                     "register_webhook", "list_agencies", "get_caseload"):  # fmt: skip
        assert expected in named
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in named), sorted(named)


def test_each_operation_of_the_api_names_the_roles_that_may_call_it(
    document: dict[str, Any],
) -> None:
    for path, ops in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, op in ops.items():
            [requirement] = op["security"]
            assert requirement["HTTPBearer"], f"{method} {path}"
    named = operations(document)
    assert named["get_feed"]["security"] == [{"HTTPBearer": ["caseworker"]}]
    assert named["register_webhook"]["security"] == [{"HTTPBearer": ["admin"]}]


def test_answers_declare_their_headers_and_problems_their_codes(
    document: dict[str, Any],
) -> None:
    named = operations(document)
    written = named["record_event"]["responses"]["201"]["headers"]
    assert {"ETag", "X-Event-Position", "Idempotent-Replayed"} <= set(written)
    assert "Location" in named["open_case"]["responses"]["201"]["headers"]
    assert "X-Projection-Position" in named["get_caseload"]["responses"]["200"]["headers"]
    assert "Retry-After" in named["get_case"]["responses"]["503"]["headers"]
    problem = document["components"]["schemas"]["Problem"]["properties"]["code"]
    assert set(problem["enum"]) == CODES
    assert {"position-ahead", "webhook-refused", "token-expired"} <= CODES


def test_events_are_told_apart_by_type_and_a_case_has_typed_parts(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    history = schemas["CaseHistory"]["properties"]["events"]["items"]
    feed = schemas["FeedOut"]["properties"]["items"]["items"]
    for union, suffix in ((history, "Out"), (feed, "Item")):
        mapping = union["discriminator"]["mapping"]
        assert union["discriminator"]["propertyName"] == "type"
        assert set(mapping) == set(CATALOGUE)
        assert {ref.rsplit("/", 1)[1] for ref in mapping.values()} == {
            f"{name}{suffix}" for name in CATALOGUE
        }
    written = schemas["EventRecorded"]["properties"]["event"]
    assert written["discriminator"]["mapping"] == history["discriminator"]["mapping"]
    data = schemas["ReferralSentData"]["properties"]
    assert {"referral_id", "to_agency", "purpose", "categories", "note"} <= set(data)
    state = schemas["CaseState"]["properties"]
    for part in ("person", "consents", "referrals", "courses", "agreements", "qualifications"):
        found = state[part].get("items") or state[part]["anyOf"][0]
        assert schemas[found["$ref"].rsplit("/", 1)[1]]["properties"], part
