"""An API that runs no projections, and a runner elsewhere (`projections run`) that keeps
the views: read-your-writes waits for it, and `/readyz` tells by its heartbeat."""

import time
from collections.abc import Iterator

import httpx
import pytest

from coordination.bootstrap import bootstrap
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.support import FakeClock, ServedApp


@pytest.fixture
def api(database_url: str, clock: FakeClock) -> Iterator[Api]:
    settings = Settings(database_url=database_url, log_level="WARNING", run_projections=False,
                        read_your_writes_seconds=1.0)  # fmt: skip
    services = bootstrap(settings, clock)
    with ServedApp(create_app(settings, clock)) as url, httpx.Client(base_url=url) as client:
        yield Api(client, services)
    services.close()


def test_the_api_serves_caseloads_kept_by_a_separate_runner(api: Api) -> None:
    lead = api.agency("abh-leipzig", municipality="leipzig")
    case_id = api.open_case(lead, municipality="leipzig")
    position = api.opened.headers["X-Event-Position"] if api.opened else "1"
    url, params = "/v1/caseload", {"min_position": position}

    # 1. Nobody projects yet: the read-your-writes read gives up with 503.
    behind = api.as_(lead, "GET", url, params=params)
    assert behind.status_code == 503
    assert behind.headers["Retry-After"]
    ready = api.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["projections"]["caseload"] == {
        "position": 0,
        "lag": int(position),  # the rule book's starter set, then the case's event
        "running": False,
        "in_process": False,
        "error": None,
    }

    # 2. A runner of its own (as `coordination projections run` starts) catches up.
    api.services.run_projections()  # as `coordination projections run` starts them
    try:
        caught_up = api.as_(lead, "GET", url, params=params)
        assert caught_up.status_code == 200
        assert [i["case_id"] for i in caught_up.json()["items"]] == [case_id]
        # 3. The API, which runs none, tells by the runner's heartbeat (written once its
        # batch committed) that they are kept.
        deadline = time.monotonic() + 5
        while (ready := api.client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, ready.json()
            time.sleep(0.05)
        assert ready.json()["projections"]["caseload"]["running"] is True
    finally:
        api.services.runner.stop()
