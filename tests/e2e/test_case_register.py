"""The auditor's register of the municipality's cases: open and closed ones, found by
status, lead agency and opening day, page by page; a sample drawn again by its seed."""

import time
from typing import Any

from coordination.domain.identity import AgencyKind, Role
from tests.e2e.conftest import Api, body
from tests.support import FakeClock

ABH, JC, AUDIT = "abh-mk", "jc-mk", "kreis-mk"


def register(api: Api, **query: Any) -> dict[str, Any]:
    return api.get(f"{AUDIT}:auditor", "/v1/cases", params=query)


def settled(api: Api, total: int, closed: int) -> None:
    """Until the register, a projection, holds every case opened and every closing."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        len(register(api, limit=200)["items"]) < total
        or len(register(api, status="closed")["items"]) < closed
    ):
        time.sleep(0.05)


def municipality_with_cases(api: Api, clock: FakeClock) -> dict[str, list[str]]:
    """Three cases opened by the authority on 1, 2 and 3 September, one of them closed;
    two by the job centre on 4 September; one in another municipality."""
    api.agency(ABH, AgencyKind.AUSLAENDERBEHOERDE)
    api.agency(JC, AgencyKind.JOBCENTER)
    api.agency(AUDIT, role=Role.AUDITOR)
    api.agency("abh-elsewhere", municipality="leipzig")
    opened: dict[str, list[str]] = {ABH: [], JC: []}
    for minute, (who, day) in enumerate(((ABH, 1), (ABH, 2), (ABH, 3), (JC, 4), (JC, 4))):
        clock.now = clock.now.replace(day=day, hour=10, minute=minute)
        opened[who].append(api.open_case(who))
    api.open_case("abh-elsewhere", municipality="leipzig")
    closed = api.post(ABH, opened[ABH][1], type="CaseClosed", reason="agreement fulfilled")
    assert closed.status_code == 201, closed.text
    settled(api, total=5, closed=1)
    return opened


def test_an_auditor_finds_open_and_closed_cases_of_her_municipality(
    api: Api, clock: FakeClock
) -> None:
    opened = municipality_with_cases(api, clock)
    everything = register(api)
    assert [c["case_id"] for c in everything["items"]] == opened[ABH] + opened[JC]
    assert {c["status"] for c in everything["items"]} == {"open", "closed"}

    closed = register(api, status="closed")["items"]
    assert [c["case_id"] for c in closed] == [opened[ABH][1]]
    by_job_centre = register(api, agency=JC)["items"]
    assert [c["case_id"] for c in by_job_centre] == opened[JC]
    second_and_third = register(api, opened_from="2026-09-02", opened_to="2026-09-03")["items"]
    assert [c["case_id"] for c in second_and_third] == opened[ABH][1:]
    assert "person" not in str(everything)  # ids, agencies and instants only


def test_pages_follow_each_other_without_gaps_or_repeats(api: Api, clock: FakeClock) -> None:
    opened = municipality_with_cases(api, clock)
    seen, cursor = [], None
    while True:
        page = register(api, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [c["case_id"] for c in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == opened[ABH] + opened[JC]


def test_a_sample_is_drawn_again_by_its_seed(api: Api, clock: FakeClock) -> None:
    municipality_with_cases(api, clock)
    first = register(api, sample=3)
    assert first["sample"]["size"] == 3
    assert first["sample"]["population"] == 5
    again = register(api, sample=3, seed=first["sample"]["seed"])
    assert again["items"] == first["items"]
    other_seeds = {tuple(c["case_id"] for c in register(api, sample=3, seed=s)["items"])
                   for s in range(8)}  # fmt: skip
    assert len(other_seeds) > 1  # the seed decides, not the order of the rows


def test_searches_and_samples_are_logged_and_kept_to_auditors(api: Api, clock: FakeClock) -> None:
    municipality_with_cases(api, clock)
    drawn = register(api, sample=2, seed=42, status="open")
    log = api.services.access_log.between(clock.now.replace(day=1, hour=0), clock.advance(days=1))
    entries = [e for e in log if e.action == "search"]
    assert entries[-1].reason == "case-sample"
    assert entries[-1].basis["seed"] == 42
    assert entries[-1].basis["results"] == len(drawn["items"]) == 2
    assert entries[-1].basis["status"] == "open"
    assert api.as_(ABH, "GET", "/v1/cases").status_code == 403
    for bad in ({"cursor": "not-ours"}, {"status": "lost"}, {"sample": 0}, {"seed": -1},
                {"opened_from": "yesterday"}, {"agency": "x\x00"}):  # fmt: skip
        answer = api.as_(f"{AUDIT}:auditor", "GET", "/v1/cases", params=bad)
        assert answer.status_code in (400, 422), bad
        assert answer.headers["content-type"] == "application/problem+json"
    body(api.as_(f"{AUDIT}:auditor", "GET", "/v1/cases"))
