"""From service results to contract bodies and headers."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError

from coordination.adapters.store.idempotency import IdempotencyRequest
from coordination.application.app import Recorded
from coordination.contract.requests import FIRST_DAY, LAST_DAY

ETAG_PATTERN = re.compile(r'^(?:W/)?"?([0-9]+)"?$')
# What If-Match may be, for the schema: `*`, or a version as ETag gives it.
IF_MATCH = r'^(\*|(W/)?"?[0-9]+"?)$'
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def recorded_headers(recorded: Recorded) -> dict[str, str]:
    headers = {"ETag": f'"{recorded.version}"', "X-Event-Position": str(recorded.position)}
    if recorded.replayed:
        headers["Idempotent-Replayed"] = "true"
    return headers


def as_aware(moment: datetime | None) -> datetime | None:
    """A time given without an offset is read as UTC; its day as written must lie within
    FIRST_DAY..LAST_DAY (the schema's pattern says so of its year)."""
    if moment is None:
        return moment
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        # Rendered like any other invalid query: 422 validation-error.
        msg = f"as_of must lie between {FIRST_DAY} and {LAST_DAY}"
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "as_of"), "msg": msg}]
        )
    return aware


def header_schema(**extra: Any) -> Callable[[dict[str, Any]], None]:
    """For an optional header's `json_schema_extra`: a header is there or not, so its
    schema is the string's, never `null` (a client would send the text "null"), and it
    has no default; then `extra` (pattern, examples)."""

    def shape(schema: dict[str, Any]) -> None:
        for variant in schema.pop("anyOf", []):
            if variant.get("type") != "null":
                schema.update(variant)
        schema.pop("default", None)
        schema.update(extra)

    return shape


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    found = ETAG_PATTERN.match(if_match.strip())
    if not found:
        raise HTTPException(400, 'If-Match must name a version, like "3"')
    return int(found.group(1))


def idempotency_request(
    key: str | None, agency_id: str, route: str, body: dict[str, Any]
) -> IdempotencyRequest | None:
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise HTTPException(400, "Idempotency-Key must be 1-255 visible ASCII characters")
    return IdempotencyRequest.of(agency_id, key, route, body)
