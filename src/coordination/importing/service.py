"""Bulk import of existing cases (docs/import.md, ADR 0019): check everything, then write.

The input is read twice. The first pass parses every line and replays every case
through the Case commands, writing nothing, and refuses the whole input if any line
has a problem. The second pass builds the cases again and writes them many to a
transaction, each with an access-log entry naming who imported it. A line that
differs between the passes stops the import there.
"""

import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

from coordination.application import CoordinationApplication
from coordination.importing.build import build
from coordination.importing.imported_by import ImportedBy
from coordination.importing.lines import ImportedCase, parse_line
from coordination.importing.problems import Findings, InputChanged, LineProblem, LineRefused
from coordination.importing.writer import Built, CaseWriter, Written
from coordination.store.access_log import AccessLog
from coordination.store.directory import Directory

# Events per transaction: large enough that per-transaction costs vanish (measured
# alike from 500 to 8,000), small enough to hold the event table's lock only briefly.
BATCH_EVENTS = 1000

# Each call starts a fresh pass over the input's lines (a file opened again, a body).
Lines = Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class ImportSummary:
    cases: int  # in the input
    imported: int
    skipped: int  # stored before: a re-run imports nothing twice
    events: int  # written by this run

    def __add__(self, other: "ImportSummary") -> "ImportSummary":
        return ImportSummary(self.cases + other.cases, self.imported + other.imported,
                             self.skipped + other.skipped, self.events + other.events)  # fmt: skip


@dataclass(frozen=True)
class Context:
    """What both passes judge by (the same instant, the same registered agencies) and
    who runs them: every case written is logged as imported `by` them, at `now`."""

    now: datetime
    agencies: frozenset[str]
    by: ImportedBy


@dataclass(frozen=True)
class Share:
    """The lines one process takes: every `count`-th from `index` (by default, all)."""

    index: int = 0
    count: int = 1


@dataclass
class Checked:
    """The first pass's findings; `digests` lets the second pass see a changed line."""

    found: Findings = field(default_factory=Findings)
    digests: "array[int]" = field(default_factory=lambda: array("Q"))
    first_line: dict[int, int] = field(default_factory=dict)  # case id (as int) -> line

    def claim(self, case: ImportedCase) -> None:
        seen = self.first_line.setdefault(case.case_id.int, case.line)
        if seen != case.line:
            raise LineRefused([duplicate(case.case_id.int, case.line, seen)])


def duplicate(case: int, line: int, first: int) -> LineProblem:
    detail = f"case {UUID(int=case)} is on line {first} already"
    return LineProblem(line, "validation-error", detail, ("case_id",))


def digest(raw: bytes) -> int:
    # Stable across processes (hash() is not), and cheap next to parsing the line.
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


def file_lines(path: Path) -> Iterator[bytes]:
    """The lines of a file, read afresh on each call: one pass each."""
    with path.open("rb") as f:
        yield from f


def numbered(lines: Iterable[bytes], share: Share = Share()) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the share's lines that are not blank; numbers count from 1."""
    for number, raw in enumerate(lines, start=1):
        if number % share.count == share.index and raw.strip():
            yield number, raw


def check(lines: Lines, context: Context, share: Share = Share()) -> Checked:
    """The first pass: every line parsed and replayed through the rules; nothing written."""
    checked = Checked()
    for number, raw in numbered(lines(), share):
        checked.digests.append(digest(raw))
        try:
            case = parse_line(number, raw, context.now)
            checked.claim(case)
            build(case, context.agencies)
        except LineRefused as refused:
            checked.found.add(refused.problems)
    return checked


class ImportService:
    def __init__(
        self, app: CoordinationApplication, directory: Directory, access_log: AccessLog,
        batch_events: int = BATCH_EVENTS,
    ) -> None:  # fmt: skip
        self.app, self.directory, self.access_log = app, directory, access_log
        self.batch_events = batch_events

    def run(self, lines: Lines, by: ImportedBy) -> ImportSummary:
        """ImportRefused (nothing written) unless every line can be imported."""
        context = self.context(by)
        checked = check(lines, context)
        checked.found.refuse()
        return self.write(lines, context, checked)

    def context(self, by: ImportedBy) -> Context:
        agencies = frozenset(a.agency_id for a in self.directory.list_agencies())
        return Context(self.app.clock(), agencies, by)

    def write(
        self, lines: Lines, context: Context, checked: Checked, share: Share = Share()
    ) -> ImportSummary:
        """The second pass, after a clean first one: build again, write in batches."""
        writer = CaseWriter(self.app, self.access_log, context.by, context.now)
        written, count, pending = Written(), 0, 0
        batch: list[Built] = []
        for count, (number, raw) in enumerate(numbered(lines(), share), start=1):
            if count > len(checked.digests) or digest(raw) != checked.digests[count - 1]:
                raise InputChanged(f"line {number}")
            case = build(parse_line(number, raw, context.now), context.agencies)
            batch.append(Built(number, case))
            pending += len(case.pending_events)
            if pending >= self.batch_events:
                written, batch, pending = written + writer.store(batch), [], 0
        if count != len(checked.digests):
            raise InputChanged("it has fewer lines")
        written += writer.store(batch)
        return ImportSummary(count, written.imported, written.skipped, written.events)
