"""The spool: the cases the first pass built and sealed, kept on disk for the second
pass to write (ADR 0022), so the input is read and checked once and memory stays flat.

It holds only what the store will hold: each case's events and snapshot as sealed
StoredEvents (personal fields as AES-GCM ciphertext) and its data key wrapped by the
master key. No personal data reaches the disk in the clear, and the directory is
private to the user (mode 0700) and removed when the import ends, however it ends.

One frame per write batch: its length, then its cases, each pickled. A case is plain
tuples, bytes, strings and numbers; reading refuses anything else (no class is ever
looked up), so a spool file cannot make the reader run code.
"""

import io
import os
import pickle
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.persistence import StoredEvent

_LENGTH = struct.Struct(">Q")


@dataclass(frozen=True)
class Spooled:
    """One case as checked and sealed: what the second pass writes for it."""

    line: int
    case_id: UUID
    wrapped: str  # its data key, wrapped by the master key, as case_keys holds it
    events: list[StoredEvent]
    snapshot: StoredEvent | None  # a long case's, as a save would have taken it

    @property
    def size(self) -> int:
        return len(self.events)


@contextmanager
def spool_directory() -> Iterator[Path]:
    """A directory only this user can open, removed with everything in it at the end."""
    with tempfile.TemporaryDirectory(prefix="coordination-import-") as tmp:
        yield Path(tmp)


class SpoolWriter:
    """Appends cases, a frame per `batch_events` events (a case never split); `close`
    writes the last frame. Each case is pickled as it comes, so what waits for its
    frame is bytes, which the garbage collector need not look through."""

    def __init__(self, path: Path, batch_events: int) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file: BinaryIO = os.fdopen(fd, "wb")
        self.batch_events = batch_events
        self.frame, self.pending = io.BytesIO(), 0

    def add(self, case: Spooled) -> None:
        self.frame.write(pickle.dumps(_record(case), protocol=pickle.HIGHEST_PROTOCOL))
        self.pending += case.size
        if self.pending >= self.batch_events:
            self._flush()

    def _flush(self) -> None:
        if frame := self.frame.getvalue():
            self.file.write(_LENGTH.pack(len(frame)))
            self.file.write(frame)
        self.frame, self.pending = io.BytesIO(), 0

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self.file.close()


def batches(path: Path) -> Iterator[list[Spooled]]:
    """The spooled cases, a write batch at a time: one frame in memory, never the file."""
    with path.open("rb") as f:
        while head := f.read(_LENGTH.size):
            length = _LENGTH.unpack(head)[0]
            frame = f.read(length)
            if len(frame) != length:
                msg = f"the spool {path.name} is cut short"
                raise OSError(msg)
            yield _cases(frame)


def _cases(frame: bytes) -> list[Spooled]:
    buffer = io.BytesIO(frame)
    reader = _DataOnly(buffer)
    cases = []
    while buffer.tell() < len(frame):
        cases.append(_spooled(reader.load()))
    return cases


class _DataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        msg = f"the spool holds plain data only, not {module}.{name}"
        raise pickle.UnpicklingError(msg)


def _record(case: Spooled) -> tuple[Any, ...]:
    snapshot = case.snapshot
    return (case.line, case.case_id.bytes, case.wrapped,
            [(e.originator_version, e.topic, e.state) for e in case.events],
            None if snapshot is None else (snapshot.originator_version, snapshot.topic,
                                           snapshot.state))  # fmt: skip


def _spooled(record: tuple[Any, ...]) -> Spooled:
    line, raw_id, wrapped, events, snapshot = record
    case_id = UUID(bytes=raw_id)
    return Spooled(line, case_id, wrapped, [StoredEvent(case_id, *e) for e in events],
                   None if snapshot is None else StoredEvent(case_id, *snapshot))  # fmt: skip
