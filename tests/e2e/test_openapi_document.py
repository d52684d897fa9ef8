"""The OpenAPI document an agency's developer generates a client from: valid, with
readable operation ids, the roles each operation needs, the headers answers carry, and
every problem code the service can answer."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from coordination.domain.catalogue import CATALOGUE
from coordination.entrypoints.api.app import create_app
from coordination.entrypoints.api.problems import CODES
from coordination.entrypoints.cli.demo import AGENCIES
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


# The keys whose values name agencies: an example names agencies of the demo data.
AGENCY_KEYS = {
    "agency", "agency_id", "to_agency", "from_agency", "lead_agency", "recipients", "provider",
    "responsible_agency", "disclosers", "obtained_by", "recorded_by",
}  # fmt: skip


def test_every_request_and_answer_carries_an_example_that_fits_its_schema(
    document: dict[str, Any],
) -> None:
    found = 0
    for where, media, schema, examples in bodies(document):
        if schema.get("format") == "binary":
            continue  # a PDF: its schema says what it is; JSON cannot show one
        assert examples, f"{where} {media} has no example"
        for example in examples:
            if media.endswith("json"):
                Draft202012Validator({**schema, "components": document["components"]}).validate(
                    example
                )
            else:
                assert isinstance(example, str), f"{where} {media}"
                assert example, f"{where} {media}"
            found += 1
    assert found > 100


def test_examples_name_agencies_of_the_demo_data(document: dict[str, Any]) -> None:
    demo = {agency.agency_id for agency in AGENCIES}
    named = {
        value
        for *_, examples in bodies(document)
        for example in examples
        for value in agency_values(example)
    }
    assert named
    assert named <= demo, sorted(named - demo)


def bodies(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], list[Any]]]:
    """(operation and status, media type, schema, examples) of every request and answer."""
    for ops in document["paths"].values():
        for op in ops.values():
            given = {"request": op.get("requestBody", {})} | op["responses"]
            for status, body in given.items():
                for media, content in body.get("content", {}).items():
                    schema = content.get("schema", {})
                    where = f"{op['operationId']} {status}"
                    yield where, media, schema, examples_of(content, document)


def examples_of(content: dict[str, Any], document: dict[str, Any]) -> list[Any]:
    """A body's examples: its media type's own, else its schema's (a union's: each
    variant's)."""
    if "example" in content:
        return [content["example"]]
    if "examples" in content:
        return [e["value"] for e in content["examples"].values()]
    return schema_examples(content.get("schema", {}), document)


def schema_examples(schema: dict[str, Any], document: dict[str, Any]) -> list[Any]:
    if "examples" in schema:
        return list(schema["examples"])
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return schema_examples(document["components"]["schemas"][name], document)
    variants = [s for s in schema.get("anyOf", schema.get("oneOf", [])) if s != {"type": "null"}]
    found = [schema_examples(variant, document) for variant in variants]
    return [e for examples in found for e in examples] if variants and all(found) else []


def agency_values(example: Any) -> Iterator[str]:
    if isinstance(example, list):
        for item in example:
            yield from agency_values(item)
    elif isinstance(example, dict):
        for key, value in example.items():
            if key in AGENCY_KEYS and isinstance(value, str):
                yield value
            elif key in AGENCY_KEYS and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from agency_values(value)
