"""`coordination import --workers N`: several processes, one file, still all or nothing."""

from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from coordination.bootstrap import Services
from coordination.cli import cli
from coordination.importing import ImportRefused, ImportService
from coordination.importing.parallel import import_in_processes
from coordination.integrity.service import IntegrityService
from coordination.settings import Settings
from tests.import_cases import ABH, MBE, line, ndjson, referral, story
from tests.support import add_agency

# Several import processes need PostgreSQL; SQLite refuses them. Each test runs on
# the one store it is about (the fixture's other parameter would only be skipped).
ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def importer(services: Services) -> ImportService:
    add_agency(services, ABH)
    add_agency(services, MBE)
    return ImportService(services.app, services.directory)


@ON_POSTGRES


def test_workers_share_the_lines_and_a_rerun_skips_them(
    services: Services, settings: Settings, importer: ImportService, tmp_path: Path
) -> None:
    path = tmp_path / "cases.ndjson"
    path.write_bytes(ndjson(*(line(story()) for _ in range(7))))
    done = import_in_processes(settings, path, importer.context(), workers=3)
    assert (done.cases, done.imported, done.skipped, done.events) == (7, 7, 0, 28)
    again = import_in_processes(settings, path, importer.context(), workers=2)
    assert (again.imported, again.skipped) == (0, 7)
    report = IntegrityService(services.app, services.settings).verify(None, None)
    assert (report.first_failure, report.events_checked) == (None, 28)


@ON_POSTGRES


def test_a_problem_in_any_share_and_nothing_is_written(
    services: Services, settings: Settings, importer: ImportService, tmp_path: Path
) -> None:
    twice, path = line(story(), uuid4()), tmp_path / "cases.ndjson"
    bad = line([story()[0], referral(hours=1)])
    path.write_bytes(ndjson(twice, line(story()), twice, line(story()), bad))
    with pytest.raises(ImportRefused) as refused:
        import_in_processes(settings, path, importer.context(), workers=2)
    assert [(p.line, p.code) for p in refused.value.problems] == [
        (3, "validation-error"), (5, "consent-required")]  # fmt: skip
    assert services.app.recorder.select_notifications(1, 10) == []


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
