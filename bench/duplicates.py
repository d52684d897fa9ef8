"""Opening a case with the duplicate check (ADR 0059) against opening it without, over
the person index of every generated case: in process, the two alternating, each
opening a case of its own for a person drawn like the generated ones."""

import random
import time
from collections.abc import Callable
from typing import Any

from bench.data import MUNICIPALITIES, agency_id, person
from bench.measure import percentile
from coordination.bootstrap import Services
from coordination.domain.identity import Caller, Principal, Role
from projections.runner import Follower


def measure(svc: Services, opens: int, settle: Callable[[], None]) -> dict[str, Any]:
    indexed = _catch_up(svc)
    settle()  # planner statistics of an index that grew with the store
    municipality = MUNICIPALITIES[0]
    agency = svc.directory.get_agency(agency_id("jobcenter", municipality))
    assert agency is not None
    caller = Caller(Principal(agency, Role.CASEWORKER, "bench", "bench"), "bench")
    rng = random.Random(7)
    timings: dict[str, list[float]] = {"with_check": [], "without": []}
    for _ in range(opens):
        fields = {"person": person(rng), "municipality": municipality}
        began = time.perf_counter()
        svc.cases.open_case(caller, fields, None)
        timings["with_check"].append(time.perf_counter() - began)
        fields = {"person": person(rng), "municipality": municipality}
        began = time.perf_counter()
        svc.app.open_case(caller.actor, fields, None)
        timings["without"].append(time.perf_counter() - began)
    return {"indexed": indexed, "opens": opens} | {
        name: {"p50_ms": percentile(t, 0.5) * 1000, "p99_ms": percentile(t, 0.99) * 1000}
        for name, t in timings.items()
    }  # fmt: skip


def _catch_up(svc: Services) -> dict[str, float]:
    began = time.perf_counter()
    events = Follower(svc.app, svc.projection("person_index")).catch_up()
    return {"events": events, "seconds": time.perf_counter() - began}
