"""Schemathesis against the service's own /openapi.json, as each role.

Checks: every check Schemathesis has that applies to a single request (no 5xx,
documented statuses, content types, headers and bodies, valid data accepted, invalid
data rejected, missing required headers, unsupported methods, the Allow header,
ignored authentication), and no stack trace in any body. The document declares no
links, so the stateful checks (use after free, resource availability, object-level
authorization) have nothing to follow. Where the service refuses valid data for a
reason no schema can state, the check says so below. The bounded run (a few examples per
operation) is part of `make test`; `make fuzz` sets COORDINATION_FUZZ_EXAMPLES high.
Run with `pytest -s` to see the figures.
"""

import os
from collections import Counter

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from coordination.domain.identity import Role
from tests.fuzz.conftest import World

EXAMPLES = int(os.environ.get("COORDINATION_FUZZ_EXAMPLES", "10"))  # per operation and role
REQUEST_TIMEOUT = 10  # seconds: a hanging request fails the run instead of stalling it
TRACE_MARKERS = (b"Traceback", b'File "')
# POST /v1/admin/imports takes NDJSON: to the fuzzer, text like any other.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


def no_stack_trace(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """No body quotes a Python stack trace (unless the request itself carried the text)."""
    body = response.request.body or b""
    sent = str(response.request.url).encode() + (body.encode() if isinstance(body, str) else body)
    for marker in TRACE_MARKERS:
        if marker in response.content and marker not in sent:
            raise AssertionError(f"the body carries a stack trace marker {marker!r}")
    return None


def not_a_server_error_but_a_documented_wait(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """503 is the contract's answer when ?min_position= is not reached in time."""
    if response.status_code == 503 and "min_position" in (case.query or {}):
        return None
    return not_a_server_error(ctx, response, case)


# Refusals of valid data that the service's state or settings decide, which no schema
# can say: an event that breaks a rule of the case as it stands (an agency unknown to
# the directory, a referral not open); a case not at the version If-Match names; an
# Idempotency-Key used before with another request; a webhook address off the
# deployment's allow-list; a checkpoint whose signature is not one of the service's keys;
# a rule that reads like that already.
STATE_DECIDES = {"invalid-event", "version-mismatch", "idempotency-key-reused",
                 "webhook-refused", "checkpoint-not-trusted", "invalid-rule"}  # fmt: skip
# Refusals of valid data whose reason lies across values, which JSON Schema cannot say:
# a cursor this service did not give out (cursors are opaque), a range whose first day
# lies after its last, or that is longer than the service reads at once.
ACROSS_VALUES = ("cursor", "lies after", "is after", "longer than")


def valid_data_accepted_unless_state_decides(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """Valid data is accepted, but for the refusals above, and lines of an NDJSON import
    that are not cases (the document types that body as text)."""
    if response.status_code in (400, 412, 422) and response.content.startswith(b"{"):
        problem = response.json()
        if problem.get("code") in STATE_DECIDES:
            return None
        said = [problem.get("detail", ""), *(e.get("msg", "") for e in problem.get("errors", []))]
        if any(reason in text for reason in ACROSS_VALUES for text in said):
            return None
        if case.operation.path == "/v1/admin/imports":
            return None
    return positive_data_acceptance(ctx, response, case)


def invalid_data_rejected_unless_only_the_credential(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """Invalid data is refused; a case whose only change is a missing Authorization
    header is not invalid here, since this test speaks as a role and sends its token."""
    data = case.meta.phase.data if case.meta is not None else None
    mutations = getattr(data, "mutations", None) or []
    if any((m.parameter or "").lower() == "authorization" for m in mutations):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error_but_a_documented_wait,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    valid_data_accepted_unless_state_decides,
    invalid_data_rejected_unless_only_the_credential,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
    no_stack_trace,
]


def shorten_a_long_poll(case: Case) -> None:
    """A valid `wait` is waited out in full when nothing is new: the fuzzer waits a
    moment at most (long polling itself is told in tests/e2e/test_change_feed.py)."""
    wait = (case.query or {}).get("wait")
    try:
        valid = 0 <= float(wait) <= 30
    except (TypeError, ValueError):
        return
    if valid and case.query is not None:
        case.query["wait"] = min(float(wait), 0.1)


def known_ids(world: World, path: str) -> dict[str, str]:
    ids = {"case_id": world.case_id, "consent_id": world.consent_id}
    return {name: value for name, value in ids.items() if "{" + name + "}" in path}


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.AUDITOR, Role.DPO, Role.ADMIN])
def test_every_operation_answers_as_documented(world: World, role: Role) -> None:
    schema = schemathesis.openapi.from_url(f"{world.base_url}/openapi.json")
    session = requests.Session()
    auth = {"Authorization": f"Bearer {world.tokens[role]}"}
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
            # Aim at ids that exist, so the fuzzer gets past 404.
            operation.as_strategy(path_parameters=known_ids(world, operation.path)),
        )

        @hypothesis.settings(
            max_examples=EXAMPLES, deadline=None, database=None,
            phases=[hypothesis.Phase.generate], suppress_health_check=list(hypothesis.HealthCheck),
        )  # fmt: skip
        @hypothesis.given(case=strategy)
        def call(case: Case) -> None:
            shorten_a_long_poll(case)
            response = case.call(
                base_url=world.base_url, session=session, headers=auth, timeout=REQUEST_TIMEOUT
            )
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=auth)

        try:
            call()
        except Exception as failure:  # collected: one report for every operation
            failures.append(f"{operation.label}: {failure}"[:3000])

    figures = (
        f"fuzz as {role.value}: {len(operations)} operations, {sum(statuses.values())} requests, "
        f"{EXAMPLES} examples per operation, statuses {dict(sorted(statuses.items()))}"
    )
    print(figures)
    assert not failures, figures + "\n\n" + "\n\n".join(failures)
    assert statuses, figures
