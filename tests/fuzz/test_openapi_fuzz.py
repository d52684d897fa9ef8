"""Schemathesis against the service's own /openapi.json, as each role.

Checks: no 5xx, every status documented for its operation, every body fits its
documented schema, no stack trace in any body. The bounded run (a few examples per
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
    response_schema_conformance,
    status_code_conformance,
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


CHECKS = [
    not_a_server_error_but_a_documented_wait,
    status_code_conformance,
    response_schema_conformance,
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
