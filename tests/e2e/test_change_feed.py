"""A job centre's system follows its agency's change feed: by long polling it learns of
each referral sent to it within a second, sees only the cases its agency is related to,
numbered without gaps, and after a consent is withdrawn only what it may still see."""

import json
import threading
import time
from datetime import timedelta
from typing import Any

from coordination.domain.identity import Role
from tests.e2e.conftest import Api, body

ABH, JC, MBE = "abh-mk", "jc-mk", "mbe-mk"
REFERRAL = {"type": "ReferralSent", "purpose": "job_placement", "categories": ["identity"]}


class AgencySystem:
    """What an agency's system keeps: its cursor, and what the feed brought it."""

    def __init__(self, api: Api, who: str) -> None:
        self.api, self.who, self.cursor = api, who, 0
        self.received: list[dict[str, Any]] = []

    def poll(self, wait: float = 5) -> list[dict[str, Any]]:
        page = self.api.get(self.who, "/v1/feed", params={"after": self.cursor, "wait": wait})
        self.received += page["items"]
        self.cursor = page["cursor"]
        return list(page["items"])

    def until(self, version: int) -> list[dict[str, Any]]:
        """What it received once the event of that version has come."""
        while not any(i["version"] == version for i in self.received):
            assert self.poll(), f"version {version} did not come"
        return self.received

    def types(self) -> list[tuple[str, str]]:
        return [(i["case_id"], i["type"]) for i in self.received]


def agencies(api: Api) -> None:
    for agency in (ABH, JC, MBE):
        api.agency(agency)


def test_the_job_centre_learns_of_each_referral_sent_to_it_within_a_second(api: Api) -> None:
    agencies(api)
    system = AgencySystem(api, JC)
    ours, other = api.open_case(ABH), api.open_case(ABH)
    body(api.grant(ABH, ours, JC, ["job_placement"], ["identity"], consent_id="c-jc"), 201)
    body(api.grant(ABH, other, MBE, ["counselling"], ["identity"]), 201)
    body(api.post(ABH, other, **REFERRAL | {"to_agency": MBE, "purpose": "counselling"}), 201)
    system.until(version=2)
    assert system.types() == [(ours, "ConsentGranted")]

    for n in range(3):
        waiting = threading.Thread(target=system.poll)
        waiting.start()
        time.sleep(0.3)  # the system is waiting when the referral is sent
        sent_at = time.monotonic()
        body(api.post(ABH, ours, **REFERRAL | {"to_agency": JC, "referral_id": f"r-{n}"}), 201)
        waiting.join()
        assert time.monotonic() - sent_at < 1.0
        assert system.received[-1]["type"] == "ReferralSent"
        assert system.received[-1]["data"]["referral_id"] == f"r-{n}"

    assert other not in {i["case_id"] for i in system.received}
    assert [i["position"] for i in system.received] == [1, 2, 3, 4]  # its own numbers
    assert [i["version"] for i in system.received] == [2, 3, 4, 5]
    assert system.poll(wait=0) == []  # nothing more, at once


def test_after_consent_is_withdrawn_later_events_carry_only_what_it_may_still_see(
    api: Api,
) -> None:
    agencies(api)
    system = AgencySystem(api, MBE)
    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, MBE, ["counselling"], ["identity", "education"], consent_id="c-1")
    first = body(api.post(ABH, case_id, type="QualificationRecorded", title="Pflegefachkraft",
                          country="SY"), 201)  # fmt: skip
    assert system.until(first["version"])[-1]["data"]["title"] == "Pflegefachkraft"

    body(api.post(ABH, case_id, type="ConsentWithdrawn", consent_id="c-1"), 201)
    later = body(api.post(ABH, case_id, type="QualificationRecorded", title="Elektriker",
                          country="SY"), 201)  # fmt: skip
    received = system.until(later["version"])
    assert (received[-1]["type"], received[-1]["data"]) == ("QualificationRecorded", None)
    assert received[-1]["withheld"] == ["education"]
    assert "Elektriker" not in json.dumps(system.received)

    since = api.services.app.clock() - timedelta(days=1)
    log = api.services.access_log.between(since, since + timedelta(days=2))
    assert any(e.agency_id == MBE and e.case_id == case_id and e.action == "read"
               for e in log)  # fmt: skip


def test_a_stream_of_server_sent_events_resumes_after_the_last_one(api: Api) -> None:
    agencies(api)
    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, JC, ["job_placement"], ["identity"])
    api.post(ABH, case_id, **REFERRAL | {"to_agency": JC, "referral_id": "r-1"})

    first = _stream(api, {}, 2)
    assert [(e["id"], e["event"]) for e in first] == [
        ("1", "ConsentGranted"),
        ("2", "ReferralSent"),
    ]
    assert json.loads(first[1]["data"])["case_id"] == case_id
    api.post(JC, case_id, type="ReferralAccepted", referral_id="r-1")
    resumed = _stream(api, {"Last-Event-ID": "2"}, 1)
    assert [(e["id"], e["event"]) for e in resumed] == [("3", "ReferralAccepted")]


def test_only_caseworkers_follow_a_feed_and_bad_cursors_are_refused(api: Api) -> None:
    agencies(api)
    auditor = api.agency("kreis-mk", role=Role.AUDITOR)
    assert api.as_(auditor, "GET", "/v1/feed").status_code == 403
    for bad in ({"after": "-1"}, {"after": "x"}, {"limit": "0"}, {"limit": "201"},
                {"wait": "31"}):  # fmt: skip
        answer = api.as_(JC, "GET", "/v1/feed", params=bad)
        assert answer.status_code == 422, bad
        assert answer.headers["content-type"] == "application/problem+json"
    resumed = api.as_(JC, "GET", "/v1/feed", headers={"Accept": "text/event-stream",
                                                      "Last-Event-ID": "soon"})  # fmt: skip
    assert resumed.status_code == 422


def _stream(api: Api, headers: dict[str, str], count: int) -> list[dict[str, str]]:
    """The first `count` server-sent events of the job centre's feed."""
    events: list[dict[str, str]] = []
    event: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {api.tokens[JC]}", "Accept": "text/event-stream"} | headers
    with api.client.stream("GET", "/v1/feed", headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                if "id" in event:
                    events.append(event)
                event = {}
                if len(events) == count:
                    break
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                event[name] = value.strip()
    return events


def test_a_system_that_missed_the_start_of_its_feed_pages_through_the_history(
    api: Api,
) -> None:
    agencies(api)
    case_id = api.open_case(ABH)
    api.grant(ABH, case_id, JC, ["job_placement"], ["identity"])
    for n in range(3):
        api.post(ABH, case_id, **REFERRAL | {"to_agency": JC, "referral_id": f"r-{n}"})
    url = f"/v1/cases/{case_id}/history"

    pages, after = [], 0
    while after is not None:
        page = api.get(JC, url, params={"after_version": after, "limit": 2})
        pages.append([e["version"] for e in page["events"]])
        after = page["next_after_version"]
    assert pages == [[1, 2], [3, 4], [5]]
    assert api.get(JC, url)["next_after_version"] is None  # without a limit: everything
    assert api.as_(JC, "GET", url, params={"limit": 0}).status_code == 422
