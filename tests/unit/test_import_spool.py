"""The import's spool framing and the file's parts (importing/spool.py, parts.py)."""

import pickle
import struct
from itertools import pairwise
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from coordination.services.importing.parts import part_lines, plan
from coordination.services.importing.service import file_lines, numbered
from coordination.services.importing.spool import Spooled, SpoolWriter, batches


def spooled(line: int, events: int, snapshot: bool = False) -> Spooled:
    case_id = uuid4()
    stored = [StoredEvent(case_id, v, "topic", b"sealed %d" % v) for v in range(1, events + 1)]
    taken = StoredEvent(case_id, events, "snapshot", b"sealed") if snapshot else None
    return Spooled(line, case_id, "d3JhcHBlZA==", stored, taken)


def test_cases_come_back_as_spooled_a_batch_at_a_time(tmp_path: Path) -> None:
    cases = [spooled(n, 3, snapshot=n % 2 == 0) for n in range(1, 8)]
    writer = SpoolWriter(tmp_path / "spool", batch_events=5)
    for case in cases:
        writer.add(case)
    writer.close()
    read = list(batches(tmp_path / "spool"))
    assert [len(b) for b in read] == [2, 2, 2, 1]  # a case never split across batches
    assert [c for b in read for c in b] == cases


def test_the_spool_is_private_and_never_overwritten(tmp_path: Path) -> None:
    SpoolWriter(tmp_path / "spool", 10).close()
    assert (tmp_path / "spool").stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        SpoolWriter(tmp_path / "spool", 10)


def test_reading_refuses_anything_but_plain_data(tmp_path: Path) -> None:
    frame = pickle.dumps((1, uuid4(), "w", [], None))  # a UUID object: a class to look up
    (tmp_path / "spool").write_bytes(struct.pack(">Q", len(frame)) + frame)
    with pytest.raises(pickle.UnpicklingError, match="plain data only"):
        list(batches(tmp_path / "spool"))


def test_a_spool_cut_short_is_an_error(tmp_path: Path) -> None:
    writer = SpoolWriter(tmp_path / "spool", 1)
    writer.add(spooled(1, 2))
    writer.close()
    whole = (tmp_path / "spool").read_bytes()
    (tmp_path / "spool").write_bytes(whole[:-3])
    with pytest.raises(OSError, match="cut short"):
        list(batches(tmp_path / "spool"))


@pytest.mark.parametrize("part_bytes", [1, 7, 20, 1 << 20])
def test_parts_number_their_lines_as_the_whole_file_does(tmp_path: Path, part_bytes: int) -> None:
    path = tmp_path / "cases.ndjson"
    path.write_bytes(b'{"a": 1}\n\n{"bb": 22}\n  \n{"ccc": 333}\n{"d": 4}')  # no last newline
    parts = plan(path, part_bytes)
    assert [p.index for p in parts] == list(range(len(parts)))
    assert parts[0].start == 0
    assert all(a.end == b.start for a, b in pairwise(parts))
    assert parts[-1].end == path.stat().st_size
    by_part = [n for p in parts for n in numbered(part_lines(path, p), p.first_line)]
    assert by_part == list(numbered(file_lines(path)))
