"""One JSON log line per request, with ids and timings, never personal data."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coordination.bootstrap import bootstrap, migrate
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.support import FakeClock, ServedApp

CANARY = {"given_name": "Quorralind", "family_name": "Vexbrannet", "date_of_birth": "1987-12-29",
          "phone": "+49 170 5550199", "email": "q.vexbrannet@example.org"}  # fmt: skip


@pytest.fixture
def api(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", log_level="INFO")
    migrate(settings)
    services = bootstrap(settings, clock)
    with ServedApp(create_app(settings, clock)) as url, httpx.Client(base_url=url) as client:
        yield Api(client, services)
    services.close()


def test_request_logs_carry_ids_and_timings_but_no_personal_data(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = api.agency("abh-leipzig", municipality="leipzig")
    case_id = api.open_case(lead, person=CANARY, municipality="leipzig")
    api.as_(lead, "GET", f"/v1/cases/{case_id}")
    api.post(lead, case_id, type="CaseClosed")  # a validation error echoes nothing either

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    requests = [line for line in lines if line.get("event") == "request"]
    assert [r["status"] for r in requests] == [201, 200, 422]
    for r in requests:
        assert {"request_id", "agency", "route", "status", "duration_ms"} <= r.keys()
        assert r["agency"] == "abh-leipzig"
    assert requests[1]["route"] == "/v1/cases/{case_id}"
    text = json.dumps(lines)
    for secret in [*CANARY.values(), api.tokens[lead]]:
        assert secret not in text
