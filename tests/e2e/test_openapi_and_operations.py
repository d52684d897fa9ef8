"""The published OpenAPI document and the token-free operations endpoints."""

import httpx

from coordination.domain.catalogue import POSTED_TYPES
from coordination.entrypoints.api.app import create_app


def test_openapi_shows_the_events_as_a_discriminated_union_with_examples() -> None:
    spec = create_app().openapi()
    body = spec["paths"]["/v1/cases/{case_id}/events"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "type"
    posted = {ref["$ref"].split("/")[-1] for ref in schema["oneOf"]}
    assert posted == {t.name for t in POSTED_TYPES}
    assert {"EmergencyAccessOpened", "ConsentGranted", "ReferralSent"} <= posted
    for ref in schema["oneOf"]:
        component = spec["components"]["schemas"][ref["$ref"].split("/")[-1]]
        assert component["examples"], ref
        assert component["additionalProperties"] is False


def test_operations_endpoints_need_no_token_and_show_no_personal_data(
    served: httpx.Client,
) -> None:
    assert served.get("/healthz").json() == {"status": "ok"}
    ready = served.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "reachable"
    assert ready.json()["projections"]["caseload"]["running"] is True
    metrics = served.get("/metrics")
    assert metrics.status_code == 200
    assert "coordination_event_store_position" in metrics.text
    assert 'coordination_projection_lag{projection="caseload"}' in metrics.text
