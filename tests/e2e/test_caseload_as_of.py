"""An auditor's caseload as it stood at an instant equals what the live caseload showed then."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.support import FakeClock

ABH, MBE, JC = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "jc-mayen-koblenz"
AUDITOR = "kreis-mayen-koblenz:auditor"
Seen = tuple[datetime, str, list[dict[str, Any]]]  # (instant, agency, live items)


class Story:
    """Writes through the API and, at chosen instants, notes every live caseload."""

    def __init__(self, api: Api, clock: FakeClock) -> None:
        self.api, self.clock = api, clock
        self.position = 0
        self.seen: list[Seen] = []

    def write(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code == 201, response.text
        self.position = int(response.headers["X-Event-Position"])
        return response

    def note(self) -> None:
        """What each agency's live caseload shows now; then time moves on, so the
        next event is recorded strictly after this instant."""
        for agency in (ABH, MBE, JC):
            params = {"min_position": self.position}
            response = self.api.as_(agency, "GET", "/v1/caseload", params=params)
            assert response.status_code == 200, response.text
            self.seen.append((self.clock.now, agency, response.json()["items"]))
        self.clock.advance(minutes=30)


def as_of(api: Api, agency: str, at: datetime | str, **params: Any) -> httpx.Response:
    at = at if isinstance(at, str) else at.isoformat()
    return api.as_(AUDITOR, "GET", "/v1/caseload", params={"agency": agency, "as_of": at, **params})


def items(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


@pytest.fixture
def story(api: Api, clock: FakeClock) -> Story:
    for agency in (ABH, MBE, JC):
        api.agency(agency)
    api.agency("kreis-mayen-koblenz", role=Role.AUDITOR)
    return Story(api, clock)


def test_the_caseload_as_of_an_instant_is_what_the_live_caseload_showed_then(
    api: Api, clock: FakeClock, story: Story
) -> None:
    s, w = story, story.write
    s.note()  # before the case exists: every caseload is empty
    case_id = api.open_case(ABH)
    assert api.opened is not None
    w(api.opened)
    s.note()
    # Consent until 2026-09-10 (German day), a referral, accepted, a milestone due soon.
    purposes, categories = ["counselling", "case_management"], ["identity", "integration_plan"]
    w(api.grant(ABH, case_id, MBE, purposes, categories, consent_id="c-1",
                valid_until="2026-09-10"))  # fmt: skip
    w(api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
               categories=["identity"], referral_id="r-1"))  # fmt: skip
    s.note()
    w(api.post(MBE, case_id, type="ReferralAccepted", referral_id="r-1"))
    w(api.post(ABH, case_id, type="AgreementConcluded", signed_on="2026-09-01",
               milestones=[{"title": "B1 erreicht", "due_on": "2026-09-05",
                            "responsible_agency": MBE}]))  # fmt: skip
    s.note()
    clock.now = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # the milestone is overdue
    s.note()
    # Expiry at midnight German time, with no event: in at 23:59, out at 00:00.
    clock.now = datetime(2026, 9, 10, 21, 59, tzinfo=UTC)
    s.note()
    clock.now = datetime(2026, 9, 10, 22, 0, tzinfo=UTC)
    s.note()
    # A new consent, then withdrawn.
    w(api.grant(ABH, case_id, MBE, ["counselling"], ["identity"], consent_id="c-2"))
    w(api.post(ABH, case_id, type="ReferralSent", to_agency=MBE, purpose="counselling",
               categories=["identity"], referral_id="r-2"))  # fmt: skip
    s.note()
    w(api.post(ABH, case_id, type="ConsentWithdrawn", consent_id="c-2"))
    s.note()
    # Transferred to the job centre.
    w(api.grant(ABH, case_id, JC, ["case_management"], ["identity"], consent_id="c-3"))
    w(api.post(ABH, case_id, type="CaseTransferred", to_agency=JC))
    s.note()

    shown = {(agency, len(found)) for _, agency, found in s.seen}
    assert {(ABH, 1), (MBE, 1), (JC, 1), (ABH, 0), (MBE, 0)} <= shown  # the story moved
    for at, agency, live in s.seen:
        assert items(as_of(api, agency, at)) == live, (at, agency)


def test_pages_of_an_as_of_read_keep_its_instant(api: Api, clock: FakeClock, story: Story) -> None:
    for _ in range(3):
        api.open_case(ABH)
        clock.advance(minutes=1)
    at = clock.now
    clock.advance(minutes=1)
    later = api.open_case(ABH)  # after the instant asked for
    assert api.opened is not None
    head = int(api.opened.headers["X-Event-Position"])

    first = as_of(api, ABH, at, limit=2)
    cursor = first.json()["next_cursor"]
    second = as_of(api, ABH, at, limit=2, cursor=cursor)
    assert second.json()["next_cursor"] is None
    seen = [i["case_id"] for page in (first, second) for i in items(page)]
    assert len(seen) == 3
    assert later not in seen
    # The rebuild read the whole store, up to its head.
    assert int(second.headers["X-Projection-Position"]) == head
    # A cursor of another instant is refused.
    elsewhere = as_of(api, ABH, clock.now, limit=2, cursor=cursor)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (400, "bad-request")


def test_a_time_without_offset_is_utc_and_the_read_is_logged(
    api: Api, clock: FakeClock, story: Story
) -> None:
    case_id = api.open_case(ABH)  # at 2026-09-01 09:00 UTC
    clock.advance(hours=1)
    assert items(as_of(api, ABH, "2026-09-01T08:59:59")) == []
    assert [i["case_id"] for i in items(as_of(api, ABH, "2026-09-01T09:00:00"))] == [case_id]
    reads = [e for e in api.services.access_log.for_case(case_id) if e.reason == "caseload-as-of"]
    assert [(e.agency_id, e.role, e.basis) for e in reads] == [
        ("kreis-mayen-koblenz", "auditor", {"role": "auditor"})
    ]


def test_only_auditors_of_the_municipality_read_a_caseload_as_it_stood(
    api: Api, clock: FakeClock, story: Story
) -> None:
    api.open_case(ABH)
    at = clock.advance(hours=1)
    params = {"as_of": at.isoformat()}
    forbidden = api.as_(ABH, "GET", "/v1/caseload", params=params)
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "forbidden")
    other = api.agency("stadt-leipzig", municipality="leipzig", role=Role.AUDITOR)
    elsewhere = api.as_(other, "GET", "/v1/caseload", params={"agency": ABH, **params})
    assert elsewhere.status_code == 404
    assert as_of(api, ABH, at).status_code == 200
    future = as_of(api, ABH, datetime(2027, 1, 1, tzinfo=UTC))
    assert (future.status_code, future.json()["code"]) == (422, "validation-error")
