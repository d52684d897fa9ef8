"""The values the OpenAPI document's examples share: one case of the demo's Leipzig
agencies, recorded by the foreigners authority's case system. Agencies are those of
`coordination demo`, so a developer can try an example against the demo."""

from typing import Any

CASE_ID = "6f1c2b9e-4d3a-4e8b-9a7c-2e5d8f0b1a34"
AT = "2026-09-01T09:00:00Z"  # when the example's events were recorded
RECORDED_BY: dict[str, Any] = {"agency": "abh-leipzig", "token_label": "fachverfahren"}
