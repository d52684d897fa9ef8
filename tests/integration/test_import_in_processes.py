"""`coordination import --workers N`: several processes, one file, still all or nothing."""

import getpass
import re
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from typer.testing import CliRunner

from coordination.bootstrap import Services
from coordination.entrypoints.cli.main import cli
from coordination.services.importing import (
    IMPORTED,
    OPERATOR,
    ImportedBy,
    ImportRefused,
    ImportService,
)
from coordination.services.importing.parallel import Job, import_in_processes
from coordination.settings import Settings
from tests.import_cases import ABH, MBE, line, ndjson, referral, story
from tests.support import STARTER_EVENTS, add_agency

# Several import processes need PostgreSQL; SQLite refuses them. Each test runs on
# the one store it is about (the fixture's other parameter would only be skipped).
ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BY = ImportedBy(OPERATOR, "migrator", "admin", "import-run-1")


@pytest.fixture
def importer(services: Services) -> ImportService:
    add_agency(services, ABH)
    add_agency(services, MBE)
    return ImportService(services.app, services.directory, services.access_log)


def entries(services: Services) -> list[tuple[str | None, str, str, str, str]]:
    """The import entries: (case, agency, label, role, run), whichever process wrote them."""
    rows = services.db.fetch_all(
        "SELECT * FROM {p}access_log WHERE action = %s ORDER BY case_id", (IMPORTED,)
    )
    return [(r["case_id"], r["agency_id"], r["token_label"], r["role"], r["request_id"])
            for r in rows]  # fmt: skip


@ON_POSTGRES
def test_workers_share_the_lines_and_a_rerun_skips_them(
    services: Services, settings: Settings, importer: ImportService, tmp_path: Path
) -> None:
    path, ids = tmp_path / "cases.ndjson", sorted(str(uuid4()) for _ in range(7))
    path.write_bytes(ndjson(*(line(story(), UUID(i)) for i in ids)))
    done = import_in_processes(
        importer, services.import_worker, path, importer.context(BY), workers=3
    )
    assert (done.cases, done.imported, done.skipped, done.events) == (7, 7, 0, 28)
    # Every process logged its cases as imported by the one importer, under one run id.
    assert entries(services) == [(i, OPERATOR, "migrator", "admin", "import-run-1")
                                 for i in ids]  # fmt: skip
    again = import_in_processes(
        importer, services.import_worker, path, importer.context(BY), workers=2
    )
    assert (again.imported, again.skipped) == (0, 7)
    assert len(entries(services)) == 7
    report = services.integrity.verify(None, None)
    assert (report.first_failure, report.events_checked) == (None, STARTER_EVENTS + 28)


@ON_POSTGRES
def test_a_problem_in_any_share_and_nothing_is_written(
    services: Services, settings: Settings, importer: ImportService, tmp_path: Path
) -> None:
    twice, path = line(story(), uuid4()), tmp_path / "cases.ndjson"
    bad = line([story()[0], referral(hours=1)])
    path.write_bytes(ndjson(twice, line(story()), twice, line(story()), bad))
    with pytest.raises(ImportRefused) as refused:  # a line per part: the repeat is in another
        import_in_processes(
            importer, services.import_worker, path, importer.context(BY), workers=2, part_bytes=1
        )
    assert [(p.line, p.code) for p in refused.value.problems] == [
        (3, "validation-error"), (5, "consent-required")]  # fmt: skip
    assert services.app.recorder.select_notifications(STARTER_EVENTS + 1, 10) == []
    assert entries(services) == []


@ON_POSTGRES
def test_the_spawned_workers_write_the_spools_they_did_not_check(
    services: Services, settings: Settings, importer: ImportService, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # This process takes no part; the spawned ones run the module as it is, and each
    # writes whichever spools it takes, by their paths.
    monkeypatch.setattr(Job, "check", lambda job, shared, importer=None: {})
    monkeypatch.setattr(Job, "write", lambda job, shared, cases, importer=None: {})
    path, ids = tmp_path / "cases.ndjson", sorted(str(uuid4()) for _ in range(6))
    path.write_bytes(ndjson(*(line(story(), UUID(i)) for i in ids)))
    done = import_in_processes(
        importer, services.import_worker, path, importer.context(BY), workers=3, part_bytes=1
    )
    assert (done.cases, done.imported, done.skipped, done.events) == (6, 6, 0, 24)
    assert [e[0] for e in entries(services)] == ids
    assert services.app.get_case(UUID(ids[0])).person["given_name"] == "Amina"
    report = services.integrity.verify(None, None)
    assert (report.first_failure, report.events_checked) == (None, STARTER_EVENTS + 24)


@ON_POSTGRES
def test_the_cli_workers_log_the_cases_as_the_operators(
    services: Services, database_url: str, importer: ImportService, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    path, ids = tmp_path / "cases.ndjson", sorted(str(uuid4()) for _ in range(3))
    path.write_bytes(ndjson(*(line(story(), UUID(i)) for i in ids)))
    done = CliRunner().invoke(cli, ["import", str(path), "--workers", "2"])
    assert done.exit_code == 0, done.output
    run_id = re.search(r"import run (import-[0-9a-f]{32}) by ", done.output)
    assert run_id is not None, done.output
    assert entries(services) == [(i, OPERATOR, getpass.getuser(), "admin", run_id[1])
                                 for i in ids]  # fmt: skip


@ON_SQLITE
def test_sqlite_takes_one_worker(
    services: Services, database_url: str, importer: ImportService, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    path = tmp_path / "cases.ndjson"
    path.write_bytes(ndjson(line(story())))
    refused = CliRunner().invoke(cli, ["import", str(path), "--workers", "2"])
    assert refused.exit_code == 2
    assert "several workers need PostgreSQL" in refused.output
