"""`serve --no-projections` with the projections run elsewhere (`projections run`)."""

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
    assert api.client.get("/readyz").json()["projections"]["caseload"]["in_process"] is False

    # 2. A runner of its own (as `coordination projections run` starts) catches up.
    runner = api.services.runner()
    runner.start()
    try:
        caught_up = api.as_(lead, "GET", url, params=params)
        assert caught_up.status_code == 200
        assert [i["case_id"] for i in caught_up.json()["items"]] == [case_id]
    finally:
        runner.stop()
