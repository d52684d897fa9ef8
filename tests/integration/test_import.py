"""Bulk import on both stores: whole histories written, re-runs skip, bad input
changes nothing, personal data sealed, hash chains intact, read models fed, and
each imported case logged as imported by whoever ran the import."""

import getpass
import re
from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import PersistenceError
from typer.testing import CliRunner

from coordination.adapters.store.access_log import AccessEntry
from coordination.adapters.store.recorders import RowWrite
from coordination.application.errors import CaseNotFound
from coordination.bootstrap import Services
from coordination.domain.case import Case
from coordination.entrypoints.cli.main import cli
from coordination.services.importing import (
    IMPORTED,
    OPERATOR,
    ImportRefused,
    ImportService,
)
from coordination.services.importing.writer import CaseWriter
from projections.runner import Follower
from tests.e2e.test_erasure import CANARY, database_dump, leaked
from tests.import_cases import (
    ABH,
    BY,
    MBE,
    START,
    event,
    importer_for,
    line,
    ndjson,
    referral,
    story,
)
from tests.support import STARTER_EVENTS, FakeClock, add_agency

COUNTS = {"keys": "SELECT count(*) AS n FROM {p}case_keys",
          "hashes": "SELECT count(*) AS n FROM {p}event_hashes",
          "entries": "SELECT count(*) AS n FROM {p}access_log"}  # fmt: skip


@pytest.fixture
def importer(services: Services) -> ImportService:
    return importer_for(services)


def imported(services: Services, case_id: UUID) -> list[AccessEntry]:
    return [e for e in services.access_log.for_case(str(case_id)) if e.action == IMPORTED]


def counts(services: Services) -> dict[str, int]:
    """The cases' rows: the rule book's starter set, of no case, is left out."""
    found = {name: services.db.fetch_one(sql) for name, sql in COUNTS.items()}
    events = len(services.app.recorder.select_notifications(1, 100_000))
    counted = {name: int(row["n"]) for name, row in found.items() if row}
    return counted | {"events": events - STARTER_EVENTS,
                      "hashes": counted["hashes"] - STARTER_EVENTS}  # fmt: skip


def test_histories_are_written_whole_and_read_back_as_given(
    services: Services, importer: ImportService
) -> None:
    first, second = uuid4(), uuid4()
    done = importer.run(lambda: [line(story(), first), b"", line(story(), second)], BY)
    assert (done.cases, done.imported, done.skipped, done.events) == (2, 2, 0, 8)
    history = services.app.history(first)
    assert [e.timestamp for e in history][:2] == [START, START.replace(hour=9)]
    assert [e.recorded_by for e in history] == [ABH, ABH, ABH, MBE]
    case = services.app.get_case(second)
    assert case.person["family_name"] == "Haddad"
    assert case.referrals["referral-1"].status == "accepted"


def test_each_imported_case_has_one_entry_naming_the_importer(
    services: Services, importer: ImportService, clock: FakeClock
) -> None:
    first, second = uuid4(), uuid4()
    importer.run(lambda: [line(story(), first), b"", line(story(), second)], BY)
    for case_id, number in ((first, 1), (second, 3)):
        (entry,) = imported(services, case_id)
        assert (entry.agency_id, entry.token_label, entry.role, entry.request_id) == (
            "kommune-leipzig", "migration-2025", "admin", "request-1")  # fmt: skip
        # At the import's instant; ids only: the line it came from, no category, no data.
        assert (entry.at, entry.categories, entry.basis, entry.reason) == (
            clock(), [], {"line": number}, None)  # fmt: skip


def test_a_rerun_skips_the_stored_cases_and_doubles_nothing(
    services: Services, importer: ImportService
) -> None:
    ids = [uuid4() for _ in range(3)]
    lines = [line(story(), i) for i in ids]
    importer.run(lambda: lines[:2], BY)
    before = counts(services)
    again = importer.run(lambda: lines, replace(BY, request_id="request-2"))
    assert (again.imported, again.skipped, again.events) == (1, 2, 4)
    assert counts(services)["events"] == before["events"] + 4
    assert counts(services)["entries"] == before["entries"] + 1  # the new case's only
    assert [[e.request_id for e in imported(services, i)] for i in ids] == [
        ["request-1"], ["request-1"], ["request-2"]]  # fmt: skip


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_an_import_answers_only_once_its_batches_are_on_disk(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1. Three batches commit without waiting for PostgreSQL's disk (ADR 0033); before
    #    the import answers, where its log ended after them is noted...
    batched = ImportService(services.app, services.directory, services.access_log, 4)
    real, flushed = CaseWriter.durable, list[bool]()

    def durable(writer: CaseWriter) -> None:
        ended = services.db.fetch_one("SELECT pg_current_wal_insert_lsn()::text AS lsn")
        real(writer)
        # 2. ...and once `durable` returns, the disk holds the log up to there.
        done = services.db.fetch_one("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn AS on_disk",
                                     (ended["lsn"] if ended else None,))  # fmt: skip
        flushed.append(bool(done and done["on_disk"]))

    monkeypatch.setattr(CaseWriter, "durable", durable)
    add_agency(services, ABH)
    add_agency(services, MBE)
    done = batched.run(lambda: [line(story()) for _ in range(3)], BY)
    assert (done.imported, flushed) == (3, [True])


def test_a_case_is_stored_only_with_its_entry(
    services: Services, importer: ImportService, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = ImportService(services.app, services.directory, services.access_log, 4)
    first, second = uuid4(), uuid4()
    lines = [line(story(), first), line(story(), second)]
    real = services.access_log.rows

    def rows(entries: Sequence[AccessEntry]) -> RowWrite:
        """The second case's entry fails in the database (its table does not exist)."""
        written = real(entries)
        if all(e.case_id != str(second) for e in entries):
            return written
        return RowWrite(written.statement.replace("access_log", "no_access_log"), written.params)

    monkeypatch.setattr(services.access_log, "rows", rows)
    with pytest.raises(PersistenceError):
        one_by_one.run(lambda: lines, BY)
    assert (len(services.app.history(first)), len(imported(services, first))) == (4, 1)
    with pytest.raises(CaseNotFound):
        services.app.get_case(second)
    assert imported(services, second) == []
    # The failed batch's key row went with it: the keys commit with the events.
    assert [counts(services)[n] for n in ("events", "hashes", "keys")] == [4, 4, 1]

    monkeypatch.undo()  # the log works again: a re-run brings the second case with its entry
    assert one_by_one.run(lambda: lines, BY).imported == 1
    assert [len(imported(services, i)) for i in (first, second)] == [1, 1]


def test_small_batches_give_the_same_result(services: Services) -> None:
    add_agency(services, ABH)
    add_agency(services, MBE)
    small = ImportService(services.app, services.directory, services.access_log, batch_events=3)
    lines = [line(story()) for _ in range(5)]
    done = small.run(lambda: lines, BY)
    assert (done.imported, done.events) == (5, 20)
    assert services.integrity.verify(None, None).first_failure is None


def test_one_bad_line_and_nothing_changes(services: Services, importer: ImportService) -> None:
    stored = line(story())
    importer.run(lambda: [stored], BY)
    before = counts(services)
    good, bad = line(story()), line([story()[0], referral(hours=1)])
    with pytest.raises(ImportRefused) as refused:  # line 2 repeats the case of line 1
        importer.run(lambda: [good, good, bad, b"not json", stored], BY)
    problems = [(p.line, p.code) for p in refused.value.problems]
    assert problems == [(2, "validation-error"), (3, "consent-required"), (4, "bad-request")]
    assert counts(services) == before


def test_personal_data_is_sealed_in_the_database(
    services: Services, importer: ImportService, database_url: str
) -> None:
    case_id = uuid4()
    importer.run(lambda: [line(story(CANARY), case_id)], BY)
    assert leaked(database_dump(database_url)) == []
    assert services.app.get_case(case_id).person["given_name"] == CANARY["given_name"]


def test_imported_events_are_chained_and_feed_the_read_models(
    services: Services, importer: ImportService
) -> None:
    lines = [line(story()) for _ in range(3)]
    importer.run(lambda: lines, BY)
    report = services.integrity.verify(None, None)
    assert (report.first_failure, report.events_checked) == (None, STARTER_EVENTS + 12)
    assert Follower(services.app, services.projection("caseload")).catch_up() == STARTER_EVENTS + 12


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
    # Each case logged once, by the first run: the operator, the login, the run's id.
    run_id = re.search(r"import run (import-[0-9a-f]{32}) by ", first.output)
    assert run_id is not None, first.output
    for case_id in ids:
        (entry,) = imported(services, case_id)
        assert (entry.agency_id, entry.token_label, entry.role, entry.request_id) == (
            OPERATOR, getpass.getuser(), "admin", run_id[1])  # fmt: skip


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
    assert (counts(services)["events"], counts(services)["entries"]) == (0, 0)


def test_long_cases_get_the_snapshot_a_save_would_have_taken(
    services: Services, importer: ImportService
) -> None:
    interval = (services.app.snapshotting_intervals or {}).get(Case)
    if not interval or services.app.snapshots is None:
        pytest.skip("snapshots are off")
    case_id = uuid4()
    qualifications = [event("QualificationRecorded", ABH, 1 + n, title=f"Q{n}", country="SY")
                      for n in range(interval + 10)]  # fmt: skip
    importer.run(lambda: [line([story()[0], *qualifications], case_id)], BY)
    (snapshot,) = services.app.snapshots.get(case_id)
    assert snapshot.originator_version == interval + 11  # the whole imported history
    case = services.app.get_case(case_id)
    assert (case.version, len(case.qualifications)) == (interval + 11, interval + 10)
