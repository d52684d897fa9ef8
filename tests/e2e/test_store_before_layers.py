"""A store written before the code took its layered form still reads, verifies and takes
writes: its events name their classes by the module paths of that time (topics such as
`coordination.domain.case:Case.ReferralSent`), and every moved class keeps its old topic.

The stores in tests/data/store_before_layers were written by commit 9b78498 (see
make_store.py there); expected.json holds what an auditor read of each case then.
"""

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from coordination.domain.identity import Role
from tests.e2e.conftest import Api
from tests.support import PG_DSN, STARTER_EVENTS, FakeClock, migrated, postgres_schema

DATA = Path(__file__).resolve().parent.parent / "data" / "store_before_layers"
DUMPED_SCHEMA = "store_before_layers"
EXPECTED: dict[str, Any] = json.loads((DATA / "expected.json").read_text())
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The suite's store, but holding what the code before the layers wrote, then
    migrated as `coordination serve` migrates it at start."""
    if request.param == "sqlite":
        shutil.copy(DATA / "store.sqlite", tmp_path / "coordination.db")
        yield migrated(f"sqlite:///{tmp_path / 'coordination.db'}")
        return
    with postgres_schema() as url:
        schema = url.rsplit("schema=", 1)[1]
        lines = (DATA / "store.pgsql").read_text().replace(DUMPED_SCHEMA, schema).splitlines()
        # psql's own commands (`\restrict`) are not SQL.
        dump = "\n".join(line for line in lines if not line.startswith("\\"))
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL(dump))  # type: ignore[arg-type]
            conn.execute("SELECT pg_catalog.set_config('search_path', '', false)")
        yield migrated(url)


@pytest.fixture
def clock() -> FakeClock:
    """A day after the stores were written: their consents read as they did then."""
    return FakeClock(datetime(2026, 9, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


@pytest.fixture
def auditor(api: Api) -> str:
    return api.agency("stadt-leipzig", municipality="leipzig", role=Role.AUDITOR)


def as_then(body: dict[str, Any]) -> dict[str, Any]:
    """A state as the expectations hold it: without the envelope of the answer."""
    return {k: v for k, v in body.items() if k not in ("case_id", "version", "withheld")}


def history_then(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"type": e["type"], "version": e["version"], "recorded_by": e["recorded_by"]["agency"],
         "data": e["data"]}
        for e in events
    ]  # fmt: skip


def upcast(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history then, as its events read now: a consent of that time was obtained by
    the agency that recorded it, let any agency disclose and was given by the person; an
    erasure of that time erased the whole case, for no controller in particular."""
    now = {
        "ConsentGranted": lambda e: {"obtained_by": e["recorded_by"], "disclosers": None,
                                     "legal_representative": None},
        "CaseErased": lambda e: {"controller": "", "whole": True, "kept_under": None,
                                 "left_to": []},
        "AgreementConcluded": lambda e: {"parties": [], "brings": None, "needs": []},
    }  # fmt: skip
    return [
        {**e, "data": {**e["data"], **now[e["type"]](e)}} if e["type"] in now else e for e in events
    ]


def state_now(state: dict[str, Any]) -> dict[str, Any]:
    """A state then, as it reads now: merged into no other case; its agreements neither
    reviewed nor ended, signed by no other agency nor acknowledged, their milestones not
    cancelled, each its agency's, in no plan area."""
    now: dict[str, Any] = {**state, "merged_into": None}
    if "agreements" in state:
        now["agreements"] = [
            {**a, "next_review_on": None, "ended": None, "ended_on": None, "parties": [],
             "acknowledged_on": None,
             "milestones": {k: {**m, "cancelled_on": None, "owner": "agency", "area": None}
                            for k, m in a["milestones"].items()}}
            for a in state["agreements"]
        ]  # fmt: skip
    return now


def in_utc(then: Any) -> Any:
    """What was read then, its instants as answers write them now: in UTC, with `Z`."""
    if isinstance(then, dict):
        return {k: in_utc(v) for k, v in then.items()}
    if isinstance(then, list):
        return [in_utc(v) for v in then]
    if isinstance(then, str) and INSTANT.match(then):
        return datetime.fromisoformat(then).astimezone(UTC).isoformat().replace("+00:00", "Z")
    return then


def test_every_case_reads_as_an_auditor_read_it_then(api: Api, auditor: str, store: str) -> None:
    for name, then in in_utc(EXPECTED[store]["cases"]).items():
        state = api.as_(auditor, "GET", f"/v1/cases/{then['case_id']}")
        assert state.status_code == 200, (name, state.text)
        assert state.json()["version"] == then["version"], name
        assert as_then(state.json()) == state_now(then["state"]), name
        history = api.as_(auditor, "GET", f"/v1/cases/{then['case_id']}/history")
        assert history_then(history.json()["events"]) == upcast(then["history"]), name


def test_the_long_case_loads_from_its_stored_snapshot(api: Api, auditor: str, store: str) -> None:
    long = EXPECTED[store]["cases"]["long"]
    at_100 = api.as_(auditor, "GET", f"/v1/cases/{long['case_id']}", params={"version": 100})
    assert at_100.status_code == 200
    assert len(at_100.json()["qualifications"]) == 99  # opened, then 99 qualifications
    assert api.services.app.snapshots is not None
    (snapshot,) = api.services.app.snapshots.get(UUID(long["case_id"]), desc=True, limit=1)
    assert snapshot.originator_version == 100


def test_an_old_case_takes_a_new_event_and_the_chains_stay_intact(
    api: Api, auditor: str, store: str
) -> None:
    then = EXPECTED[store]["cases"]["imported"]
    lead = api.agency("mbe-caritas-leipzig", municipality="leipzig")
    written = api.post(lead, then["case_id"], type="QualificationRecorded", title="Abitur",
                       country="SY")  # fmt: skip
    assert written.status_code == 201, written.text
    history = api.as_(auditor, "GET", f"/v1/cases/{then['case_id']}/history").json()["events"]
    assert history_then(history)[:-1] == upcast(then["history"])
    assert history[-1]["type"] == "QualificationRecorded"
    caseload = api.as_(lead, "GET", "/v1/caseload", params={
        "min_position": written.headers["X-Event-Position"]})  # fmt: skip
    assert then["case_id"] in [item["case_id"] for item in caseload.json()["items"]]

    report = api.services.integrity.verify(None, None)
    assert report.first_failure is None
    # Migrating the old store recorded the rule book's starter set after its events.
    assert report.events_checked == EXPECTED[store]["events"] + STARTER_EVENTS + 1
