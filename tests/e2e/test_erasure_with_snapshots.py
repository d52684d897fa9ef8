"""Erasure of a case that has snapshots: the snapshots hold the whole state, sealed
with the case's key, so after erasure every read answers as for any erased case (it
replays the events) and nothing of the person is left readable anywhere."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from coordination.domain.identity import Actor, Role
from tests.e2e.conftest import Api
from tests.e2e.test_erasure import CANARY, database_dump, leaked

ABH, MBE = "abh-leipzig", "mbe-leipzig"


@pytest.fixture
def case_id(api: Api) -> str:
    """A case of 122 events with the person's name in its state: one snapshot (at 100)."""
    api.agency(ABH, municipality="leipzig")
    api.agency(MBE, municipality="leipzig")
    case_id = api.open_case(ABH, person=CANARY, municipality="leipzig")
    api.grant(ABH, case_id, MBE, ["counselling", "case_management"], ["identity", "contact"])
    app = api.services.app
    case = app.get_case(UUID(case_id))
    at = datetime(2026, 9, 2, 9, tzinfo=UTC)
    for n in range(120):
        title = f"Kurs {n} für {CANARY['given_name']}"
        case.record_qualification(Actor(ABH, "abh"), at, title=title, country="SY",
                                  level=CANARY["family_name"])  # fmt: skip
    app.save(case)
    assert app.snapshots is not None
    stored = app.snapshots.recorder.select_events(UUID(case_id))
    assert [s.originator_version for s in stored] == [100]
    return case_id


def test_every_read_of_an_erased_case_with_a_snapshot_answers_and_reveals_nothing(
    api: Api, case_id: str, database_url: str
) -> None:
    dpo = api.agency("datenschutz-leipzig", municipality="leipzig", role=Role.DPO)
    auditor = api.agency("rpa-leipzig", municipality="leipzig", role=Role.AUDITOR)
    url = f"/v1/cases/{case_id}"
    before = api.as_(auditor, "GET", url, params={"version": 110})
    assert CANARY["given_name"] in before.text  # read from the snapshot and 10 events
    assert leaked(database_dump(database_url)) == []  # the snapshot row is sealed

    body = {"reason": "person asked", "legal_basis": "Art. 17 GDPR"}
    erased = api.as_(dpo, "POST", f"{url}/erasure", json=body)
    assert erased.status_code == 201, erased.text

    reads = [
        (ABH, url), (ABH, f"{url}/history"), (MBE, url), (MBE, f"{url}/history"),
        (auditor, url), (auditor, f"{url}/history"), (dpo, f"{url}/history"),
        (auditor, f"{url}?version=100"), (auditor, f"{url}?version=110"),
        (auditor, f"{url}?version=99"), (auditor, f"{url}?as_of=2030-01-01T00:00:00Z"),
        (ABH, f"{url}/consent-trail"), (dpo, f"{url}/consent-trail"),
        (ABH, f"{url}/disclosure-report"), (dpo, f"{url}/disclosure-report?format=pdf"),
        (dpo, f"{url}/consents/consent-1/receipt"),
        (auditor, f"/v1/audit/verify?case_id={case_id}"),
    ]  # fmt: skip
    for who, path in reads:
        response = api.as_(who, "GET", path)
        assert response.status_code == 200, (who, path, response.text)
        assert not leaked(response.content), (who, path)

    state = api.as_(auditor, "GET", url).json()
    assert state["erased"] is True
    assert {q["title"] for q in state["qualifications"]} == {None}
    assert (
        api.as_(auditor, "GET", f"{url}?version=110").json()["qualifications"][0]["title"] is None
    )
    position = erased.headers["X-Event-Position"]
    caseload = api.as_(ABH, "GET", "/v1/caseload", params={"min_position": position}).json()
    assert caseload["items"] == []
    assert leaked(database_dump(database_url)) == []
