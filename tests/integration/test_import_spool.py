"""The import's spool and keys on both stores (ADR 0022): each case sealed once in the
first pass under a fresh key, which is stored with its events and nowhere else; the
spool holds no personal data in clear and is gone when the import ends."""

import tempfile
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from coordination.application.errors import CaseNotFound
from coordination.bootstrap import Services
from coordination.services.importing import ImportRefused, ImportService, ImportStopped
from coordination.services.importing import writer as writer_module
from coordination.services.importing.spool import Spooled
from coordination.services.importing.writer import CaseWriter
from tests.e2e.test_erasure import CANARY, SECRETS
from tests.import_cases import ABH, BY, importer_for, line, referral, story


@pytest.fixture
def importer(services: Services) -> ImportService:
    return importer_for(services)


@pytest.fixture
def spools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's imports make their private spool directories."""
    where = tmp_path / "spools"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def key_row(services: Services, case_id: UUID) -> dict[str, str | None] | None:
    return services.db.fetch_one(
        "SELECT wrapped, destroyed_at FROM {p}case_keys WHERE case_id = %s", (str(case_id),)
    )


def cached(services: Services, case_id: UUID) -> bool:
    return case_id.int in services.app.keys._cache


def test_a_key_left_without_events_is_replaced_and_the_case_reads_back(
    services: Services, importer: ImportService
) -> None:
    case_id = uuid4()
    # An earlier import (of an older release) made the case's key, then failed.
    services.db.execute(
        "INSERT INTO {p}case_keys (case_id, wrapped, created_at)"
        " VALUES (%s, 'bGVmdCBvdmVy', '2025-01-01T00:00:00.000000Z')",
        (str(case_id),),
    )
    left = key_row(services, case_id)
    assert left is not None
    done = importer.run(lambda: [line(story(CANARY), case_id)], BY)
    assert (done.imported, done.events) == (1, 4)
    row = key_row(services, case_id)
    assert row is not None
    assert row["wrapped"] not in (None, left["wrapped"])
    case = services.app.get_case(case_id)
    assert case.person["given_name"] == CANARY["given_name"]
    assert vars(services.app.history(case_id)[2])["note"] == "Beratung gewünscht"  # sealed


def test_a_destroyed_key_without_events_stops_the_import_there(
    services: Services, importer: ImportService
) -> None:
    first, erased = uuid4(), uuid4()
    services.db.execute(
        "INSERT INTO {p}case_keys (case_id, wrapped, created_at, destroyed_at)"
        " VALUES (%s, NULL, '2025-01-01T00:00:00.000000Z',"
        " '2025-02-01T00:00:00.000000Z')",
        (str(erased),),
    )
    one_by_one = ImportService(services.app, services.directory, services.access_log, 4)
    with pytest.raises(ImportStopped, match=f"line 2: case {erased} was erased"):
        one_by_one.run(lambda: [line(story(), first), line(story(), erased)], BY)
    assert services.app.get_case(first).version == 4  # the batch before it stays
    with pytest.raises(CaseNotFound):
        services.app.get_case(erased)
    assert key_row(services, erased) == {"wrapped": None,
                                         "destroyed_at": "2025-02-01T00:00:00.000000Z"}  # fmt: skip


def test_a_refused_import_leaves_no_spool_and_no_cached_key(
    services: Services, importer: ImportService, spools: Path
) -> None:
    good = uuid4()
    with pytest.raises(ImportRefused):
        importer.run(lambda: [line(story(), good), line([story()[0], referral(hours=1)])], BY)
    assert list(spools.iterdir()) == []
    assert not cached(services, good)
    assert key_row(services, good) is None


def test_the_spool_holds_no_personal_data_and_is_gone_afterwards(
    services: Services, importer: ImportService, spools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bytes] = []
    real = CaseWriter.store

    def store(writer: CaseWriter, batch: list[Spooled]) -> writer_module.Written:
        seen.extend(f.read_bytes() for f in spools.rglob("*") if f.is_file())
        return real(writer, batch)

    monkeypatch.setattr(CaseWriter, "store", store)
    case_id = uuid4()
    assert importer.run(lambda: [line(story(CANARY), case_id)], BY).imported == 1
    spooled = b"".join(seen)
    assert ABH.encode() in spooled  # what the store keeps in clear is there in clear
    assert [s for s in SECRETS if s.encode() in spooled] == []
    assert b"Beratung" not in spooled  # the referral's note, sealed too
    assert list(spools.iterdir()) == []
    assert not cached(services, case_id)  # its key went to the store only


def test_a_rerun_keeps_the_stored_cases_keys(services: Services, importer: ImportService) -> None:
    case_id = uuid4()
    importer.run(lambda: [line(story(), case_id)], BY)
    before = key_row(services, case_id)
    again = importer.run(lambda: [line(story(), case_id), line(story())], BY)
    assert (again.imported, again.skipped) == (1, 1)
    assert key_row(services, case_id) == before
    assert services.app.get_case(case_id).person["family_name"] == "Haddad"


def test_a_lost_race_rolls_back_the_losers_keys_too(
    services: Services, importer: ImportService, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = uuid4()
    importer.run(lambda: [line(story(), case_id)], BY)
    before = key_row(services, case_id)
    looks = iter([False])
    real = CaseWriter._not_stored

    def not_stored(writer: CaseWriter, batch: list[Spooled]) -> list[Spooled]:
        """The first look misses the stored case, as a look just before another
        importer commits it would."""
        return list(batch) if next(looks, True) is False else real(writer, batch)

    monkeypatch.setattr(CaseWriter, "_not_stored", not_stored)
    again = importer.run(lambda: [line(story(), case_id)], BY)
    assert (again.imported, again.skipped, again.events) == (0, 1, 0)
    assert key_row(services, case_id) == before
    assert services.app.get_case(case_id).version == 4
