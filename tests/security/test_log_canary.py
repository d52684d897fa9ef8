"""Tokens and personal data never reach the logs (hygiene).

A whole working day of one case runs through the served app at log level INFO:
opening with the canary person, consent, a referral with the person's name in its
note, reads under consent, refused reads, caseload, history, oversight documents,
withdrawal, erasure, and errors whose bodies, paths and tokens carry the canary.
Then the process output (stdout and stderr, at file-descriptor level), every
stdlib log record of the service down to DEBUG, and the rows of the access log,
token and idempotency tables are searched for the canary and for every bearer
token and secret used.
"""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from coordination.bootstrap import Services, bootstrap
from coordination.domain.identity import Role
from coordination.entrypoints.api.app import create_app
from coordination.settings import Settings
from tests.e2e.conftest import Api
from tests.security.canary import CANARY, NOTE, found_in, leaks
from tests.support import FakeClock, ServedApp, add_agency, migrated

HOME = "mayen-koblenz"
LEAD, MBE, UNRELATED = "abh-mayen-koblenz", "mbe-diakonie-mayen-koblenz", "kommune-mendig"
DPO, AUDITOR = "kreis-mayen-koblenz:dpo", "kreis-mayen-koblenz:auditor"
# Not the service's own logging: the test's HTTP client logs the URLs it requests;
# and uvicorn writes its access log only because pytest hangs its capture handler on
# every non-propagating logger, which `access_log=False` leaves `uvicorn.access`. The
# real `coordination serve` is checked without pytest in between, in a process of its
# own (test_the_served_process_logs_no_path_body_or_token).
NOT_THE_SERVICE = ("httpx", "httpcore", "uvicorn.access")
FORGED_TOKEN = f"cst.{CANARY['family_name'].lower()}.{CANARY['phone'].replace(' ', '')}"


@pytest.fixture
def api(database_url: str, clock: FakeClock) -> Iterator[Api]:
    settings = Settings(database_url=database_url, log_level="INFO")
    services = bootstrap(settings, clock)
    try:
        with ServedApp(create_app(settings, clock)) as url, httpx.Client(base_url=url) as client:
            yield Api(client, services)
    finally:
        services.close()


class Scenario:
    """Runs requests and checks each one answered as the story expects."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.statuses: list[int] = []

    def __call__(
        self, expected: int, who: str | None, method: str, url: str, **kwargs: Any
    ) -> httpx.Response:
        if who is None:
            response = self.api.client.request(method, url, **kwargs)
        else:
            response = self.api.as_(who, method, url, **kwargs)
        assert response.status_code == expected, f"{method} {url}: {response.text[:300]}"
        self.statuses.append(response.status_code)
        return response


def run_the_day(api: Api, ask: Scenario) -> str:
    api.agency(LEAD, municipality=HOME)
    api.agency(MBE, municipality=HOME)
    api.agency(UNRELATED, municipality=HOME)
    api.agency("kreis-mayen-koblenz", municipality=HOME, role=Role.DPO)
    api.agency("kreis-mayen-koblenz", municipality=HOME, role=Role.AUDITOR)
    opening = {"person": CANARY, "municipality": HOME, "arrived_on": "2026-08-14",
               "residence_status": "aufenthaltserlaubnis"}  # fmt: skip
    key = {"Idempotency-Key": "open-1"}
    case_id = str(ask(201, LEAD, "POST", "/v1/cases", json=opening, headers=key).json()["case_id"])
    ask(201, LEAD, "POST", "/v1/cases", json=opening, headers=key)  # a replay
    case, events = f"/v1/cases/{case_id}", f"/v1/cases/{case_id}/events"

    # Consent, a referral with the person's name in its note, reads under consent.
    ask(201, LEAD, "POST", events, json={
        "type": "ConsentGranted", "recipients": [MBE], "purposes": ["counselling"],
        "categories": ["identity", "contact"], "given_on": "2026-09-01",
        "evidence": {"method": "written", "document_ref": f"Bogen {CANARY['family_name']}"},
        "consent_id": "c-1"})  # fmt: skip
    referral = {"type": "ReferralSent", "to_agency": MBE, "purpose": "counselling",
                "categories": ["identity", "contact"], "note": NOTE}  # fmt: skip
    sent = ask(201, LEAD, "POST", events, json=referral)
    assert leaks(ask(200, MBE, "GET", case)), "the reader should see the person"
    ask(200, MBE, "GET", f"{case}/history")
    position = sent.headers["X-Event-Position"]
    caseload = ask(200, MBE, "GET", "/v1/caseload", params={"min_position": position})
    assert leaks(caseload), "the caseload should show the name"
    ask(200, AUDITOR, "GET", f"{case}/history")

    # Oversight: the lead's copy of the report carries the name.
    ask(200, LEAD, "GET", f"{case}/consent-trail")
    assert leaks(ask(200, LEAD, "GET", f"{case}/disclosure-report"))
    ask(200, LEAD, "GET", f"{case}/disclosure-report", params={"format": "pdf"})
    ask(200, DPO, "GET", f"{case}/consents/c-1/receipt", params={"format": "fhir"})
    ask(200, DPO, "GET", "/v1/dpo/overview", params={"format": "csv"})

    # Refusals and errors, each carrying the canary somewhere in the request.
    ask(404, UNRELATED, "GET", case)
    ask(403, LEAD, "POST", events, json={**referral, "to_agency": UNRELATED})
    ask(
        422,
        LEAD,
        "POST",
        "/v1/cases",
        json={
            **opening,
            "person": {
                **CANARY,
                "date_of_birth": CANARY["given_name"],
                "nickname": CANARY["family_name"],
            },
        },
    )
    ask(422, LEAD, "POST", events, json={**referral, "to_agency": CANARY["email"]})
    ask(422, LEAD, "POST", events, json={"type": "ConsentWithdrawn", "consent_id": "c-9",
                                         "reason": NOTE})  # fmt: skip
    ask(400, LEAD, "POST", events, content=f'{{"note": "{NOTE}"'.encode(),
        headers={"Content-Type": "application/json"})  # fmt: skip
    ask(400, LEAD, "POST", events, content=NOTE.encode(), headers={"Content-Type": "text/plain"})
    ask(413, LEAD, "POST", events, json={**referral, "note": NOTE * 20_000})
    ask(404, LEAD, "GET", f"/v1/cases/{CANARY['family_name']}")
    ask(404, LEAD, "GET", f"/v1/nowhere/{CANARY['given_name']}")
    ask(400, LEAD, "GET", "/v1/caseload", params={"cursor": CANARY["email"]})
    ask(401, None, "GET", case, headers={"Authorization": f"Bearer {FORGED_TOKEN}"})
    ask(403, LEAD, "POST", f"{case}/erasure",
        json={"reason": NOTE, "legal_basis": "Art. 17 GDPR"})  # fmt: skip

    # Withdrawal with a reason that names the person; the reader loses sight.
    ask(201, LEAD, "POST", events, json={"type": "ConsentWithdrawn", "consent_id": "c-1",
                                         "reason": NOTE})  # fmt: skip
    assert not leaks(ask(200, MBE, "GET", case))

    # Erasure, and reads after it.
    ask(201, DPO, "POST", f"{case}/erasure",
        json={"reason": "the person asked", "legal_basis": "Art. 17 GDPR"})  # fmt: skip
    assert not leaks(ask(200, LEAD, "GET", f"{case}/history"))
    assert not leaks(ask(200, AUDITOR, "GET", case))
    return case_id


def test_no_token_and_no_personal_data_in_any_log(
    api: Api, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ask = Scenario(api)
    run_the_day(api, ask)
    out, err = capfd.readouterr()
    secrets = _secrets(api)

    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == len(ask.statuses), "one request line per request"
    assert sorted(r["status"] for r in requests) == sorted(ask.statuses)
    assert {"/v1/cases/{case_id}", "unmatched"} <= {r["route"] for r in requests}

    assert found_in(out, secrets) == []
    assert found_in(err, secrets) == []
    service_records = [r for r in caplog.records if not r.name.startswith(NOT_THE_SERVICE)]
    assert service_records, "the service's stdlib loggers were not captured"
    for record in service_records:
        assert found_in(f"{record.getMessage()} {record.__dict__}", secrets) == [], record.name


def test_no_token_and_no_personal_data_in_the_service_tables(api: Api) -> None:
    run_the_day(api, Scenario(api))
    secrets = _secrets(api)
    tables = {
        "access_log": _rows(api.services, "access_log"),
        "tokens": _rows(api.services, "tokens"),
        "idempotency_results": _rows(api.services, "idempotency_results"),
    }
    assert len(tables["access_log"]) >= 10
    assert {"read", "withheld", "refused"} <= {row["action"] for row in tables["access_log"]}
    for name, rows in tables.items():
        assert found_in(json.dumps(rows, default=str), secrets) == [], name


def _secrets(api: Api) -> list[str]:
    """Every bearer token used, and the secret part of each on its own."""
    tokens = [*api.tokens.values(), FORGED_TOKEN]
    return [*tokens, *(t.rsplit(".", 1)[1] for t in tokens)]


def _rows(services: Services, table: str) -> list[dict[str, Any]]:
    return services.db.fetch_all(f"SELECT * FROM {{p}}{table}")


def test_the_served_process_logs_no_path_body_or_token(tmp_path: Path) -> None:
    """`coordination serve` as deployed, in its own process: its output carries one
    JSON line per request and nothing of the paths, bodies or tokens it was sent.
    The logging set-up does not depend on the store, so SQLite is enough here."""
    url = f"sqlite:///{tmp_path / 'coordination.db'}"
    services = bootstrap(Settings(database_url=migrated(url)), FakeClock())
    try:
        token = add_agency(services, LEAD, municipality=HOME)
    finally:
        services.close()
    with _serving(url, tmp_path) as (base_url, process):
        with httpx.Client(base_url=base_url, timeout=30) as client:
            bearer = {"Authorization": f"Bearer {token}"}
            opening = {"person": CANARY, "municipality": HOME, "arrived_on": "2026-08-14"}
            opened = client.post("/v1/cases", json=opening, headers=bearer)
            assert opened.status_code == 201, opened.text
            case = f"/v1/cases/{opened.json()['case_id']}"
            assert leaks(client.get(case, headers=bearer))
            assert (
                client.get(f"/v1/cases/{CANARY['family_name']}", headers=bearer).status_code == 404
            )
            assert client.get(f"/v1/x?q={CANARY['email']}", headers=bearer).status_code == 404
            bad = client.post(
                f"{case}/events", json={"type": "CaseClosed", "x": NOTE}, headers=bearer
            )
            assert bad.status_code == 422
            forged = {"Authorization": f"Bearer {FORGED_TOKEN}"}
            assert client.get(case, headers=forged).status_code == 401
        process.terminate()
        out, err = process.communicate(timeout=30)
    requests = [json.loads(line) for line in out.splitlines() if '"event": "request"' in line]
    statuses = [r["status"] for r in requests if r["route"] != "/healthz"]
    assert statuses == [201, 200, 404, 404, 422, 401]
    secrets = [token, token.rsplit(".", 1)[1], FORGED_TOKEN]
    assert found_in(out, secrets) == []
    assert found_in(err, secrets) == []


@contextmanager
def _serving(database_url: str, workdir: Path) -> Iterator[tuple[str, "subprocess.Popen[str]"]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "COORDINATION_DATABASE_URL": database_url,
           "COORDINATION_LOG_LEVEL": "INFO"}  # fmt: skip
    command = [str(Path(sys.executable).with_name("coordination")), "serve", "--port", str(port)]
    # In a directory of its own, so no default key file lands in the working tree.
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"coordination serve did not start: {process.communicate()[1][-2000:]}")
            time.sleep(0.1)
        yield base_url, process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)
