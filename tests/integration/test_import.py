"""Bulk import on both stores: whole histories written, re-runs skip, bad input
changes nothing, personal data sealed, hash chains intact, read models fed."""

from uuid import UUID, uuid4

import pytest
from typer.testing import CliRunner

from coordination.bootstrap import Services
from coordination.cli import cli
from coordination.domain.case import Case
from coordination.importing import ImportRefused, ImportService, InputChanged
from coordination.integrity.service import IntegrityService
from projections.runner import Follower
from tests.e2e.test_erasure import CANARY, database_dump, leaked
from tests.import_cases import ABH, MBE, START, event, line, ndjson, referral, story
from tests.support import add_agency

COUNTS = {"keys": "SELECT count(*) AS n FROM {p}case_keys",
          "hashes": "SELECT count(*) AS n FROM {p}event_hashes"}  # fmt: skip


@pytest.fixture
def importer(services: Services) -> ImportService:
    add_agency(services, ABH)
    add_agency(services, MBE)
    return ImportService(services.app, services.directory)


def counts(services: Services) -> dict[str, int]:
    found = {name: services.db.fetch_one(sql) for name, sql in COUNTS.items()}
    events = len(services.app.recorder.select_notifications(1, 100_000))
    return {"events": events} | {name: int(row["n"]) for name, row in found.items() if row}


def test_histories_are_written_whole_and_read_back_as_given(
    services: Services, importer: ImportService
) -> None:
    first, second = uuid4(), uuid4()
    done = importer.run(lambda: [line(story(), first), b"", line(story(), second)])
    assert (done.cases, done.imported, done.skipped, done.events) == (2, 2, 0, 8)
    history = services.app.history(first)
    assert [e.timestamp for e in history][:2] == [START, START.replace(hour=9)]
    assert [e.recorded_by for e in history] == [ABH, ABH, ABH, MBE]
    case = services.app.get_case(second)
    assert case.person["family_name"] == "Haddad"
    assert case.referrals["referral-1"].status == "accepted"


def test_a_rerun_skips_the_stored_cases_and_doubles_nothing(
    services: Services, importer: ImportService
) -> None:
    lines = [line(story()) for _ in range(3)]
    importer.run(lambda: lines[:2])
    before = counts(services)
    again = importer.run(lambda: lines)
    assert (again.imported, again.skipped, again.events) == (1, 2, 4)
    assert counts(services)["events"] == before["events"] + 4


def test_small_batches_give_the_same_result(services: Services) -> None:
    add_agency(services, ABH)
    add_agency(services, MBE)
    small = ImportService(services.app, services.directory, batch_events=3)
    lines = [line(story()) for _ in range(5)]
    done = small.run(lambda: lines)
    assert (done.imported, done.events) == (5, 20)
    assert (
        IntegrityService(services.app, services.settings).verify(None, None).first_failure is None
    )


def test_one_bad_line_and_nothing_changes(services: Services, importer: ImportService) -> None:
    stored = line(story())
    importer.run(lambda: [stored])
    before = counts(services)
    good, bad = line(story()), line([story()[0], referral(hours=1)])
    with pytest.raises(ImportRefused) as refused:  # line 2 repeats the case of line 1
        importer.run(lambda: [good, good, bad, b"not json", stored])
    problems = [(p.line, p.code) for p in refused.value.problems]
    assert problems == [(2, "validation-error"), (3, "consent-required"), (4, "bad-request")]
    assert counts(services) == before


def test_personal_data_is_sealed_in_the_database(
    services: Services, importer: ImportService, database_url: str
) -> None:
    case_id = uuid4()
    importer.run(lambda: [line(story(CANARY), case_id)])
    assert leaked(database_dump(database_url)) == []
    assert services.app.get_case(case_id).person["given_name"] == CANARY["given_name"]


def test_imported_events_are_chained_and_feed_the_read_models(
    services: Services, importer: ImportService
) -> None:
    lines = [line(story()) for _ in range(3)]
    importer.run(lambda: lines)
    report = IntegrityService(services.app, services.settings).verify(None, None)
    assert (report.first_failure, report.events_checked) == (None, 12)
    assert Follower(services.app, services.projection("caseload")).catch_up() == 12


def test_a_line_changed_between_check_and_write_stops_the_import(
    importer: ImportService,
) -> None:
    passes = iter([[line(story()), line(story())], [line(story())]])
    with pytest.raises(InputChanged, match="line 1"):
        importer.run(lambda: next(passes))


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    return CliRunner()


@pytest.fixture
def cases_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[UUID]]:
    ids = [uuid4(), uuid4()]
    path = tmp_path_factory.mktemp("import") / "cases.ndjson"
    path.write_bytes(ndjson(*(line(story(), i) for i in ids)))
    return str(path), ids


def test_the_cli_imports_a_file_once(
    run: CliRunner, services: Services, importer: ImportService,
    cases_file: tuple[str, list[UUID]],
) -> None:  # fmt: skip
    path, ids = cases_file
    first = run.invoke(cli, ["import", path])
    assert first.exit_code == 0, first.output
    assert "imported 2 cases (8 events), skipped 0" in first.output
    assert "imported 0 cases (0 events), skipped 2" in run.invoke(cli, ["import", path]).output
    assert services.app.get_case(ids[1]).version == 4


def test_the_cli_names_bad_lines_and_imports_nothing(
    run: CliRunner,
    services: Services,
    importer: ImportService,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path = tmp_path_factory.mktemp("import") / "bad.ndjson"
    path.write_bytes(ndjson(line(story()), line([story()[0], referral(hours=1)])))
    refused = run.invoke(cli, ["import", str(path)])
    assert refused.exit_code == 1
    assert "line 2: consent-required at events.1: no active consent" in refused.output
    assert "nothing was imported" in refused.output
    assert counts(services)["events"] == 0


def test_long_cases_get_the_snapshot_a_save_would_have_taken(
    services: Services, importer: ImportService
) -> None:
    interval = (services.app.snapshotting_intervals or {}).get(Case)
    if not interval or services.app.snapshots is None:
        pytest.skip("snapshots are off")
    case_id = uuid4()
    qualifications = [event("QualificationRecorded", ABH, 1 + n, title=f"Q{n}", country="SY")
                      for n in range(interval + 10)]  # fmt: skip
    importer.run(lambda: [line([story()[0], *qualifications], case_id)])
    (snapshot,) = services.app.snapshots.get(case_id)
    assert snapshot.originator_version == interval + 11  # the whole imported history
    case = services.app.get_case(case_id)
    assert (case.version, len(case.qualifications)) == (interval + 11, interval + 10)
