"""Bulk import of existing cases (docs/import.md, ADRs 0019 and 0022): check everything,
then write.

The input is read once. The first pass parses every line, replays every case through
the Case commands and seals the cases that pass into a spool on disk, writing nothing
to the store; any problem refuses the whole input. The second pass reads the spool,
not the input, and writes the cases many to a transaction, each with its key row and
an access-log entry naming who imported it: what is written is exactly what was
checked.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

from consent import EMPTY_STATUTE, Statute
from coordination.adapters.runtime.heap import batch_collection
from coordination.adapters.store.access_log import AccessLog
from coordination.adapters.store.directory import Directory
from coordination.application.app import CoordinationApplication
from coordination.domain.grounds import Grounds
from coordination.domain.policy import DEFAULT_POLICY, Policy
from coordination.services.importing.build import build
from coordination.services.importing.imported_by import ImportedBy
from coordination.services.importing.lines import ImportedCase, parse_line
from coordination.services.importing.problems import Findings, LineProblem, LineRefused
from coordination.services.importing.sealer import CaseSealer
from coordination.services.importing.spool import SpoolWriter, batches, spool_directory
from coordination.services.importing.writer import CaseWriter, Written

# Events per transaction: large enough that per-transaction costs vanish (measured
# alike from 500 to 8,000), small enough to hold the event table's lock only briefly.
BATCH_EVENTS = 1000

# Each call starts a pass over the input's lines (a file opened, a body split).
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
class KindsOf:
    """An agency's kind from a table that travels to the import's worker processes."""

    kinds: Mapping[str, str]

    def __call__(self, agency_id: str) -> str:
        return self.kinds.get(agency_id, "")


@dataclass(frozen=True)
class Context:
    """What the check judges by (one instant, the registered agencies) and who runs the
    import: every case written is logged as imported `by` them, at `now`."""

    now: datetime
    agencies: frozenset[str]
    by: ImportedBy
    policy: Policy = DEFAULT_POLICY
    # The rule book as it stands and each agency's kind: the import judges transfers by
    # the law as a live write would.
    statute: Statute = EMPTY_STATUTE
    kinds: Mapping[str, str] = field(default_factory=dict)

    def grounds(self) -> Grounds:
        return Grounds(self.statute, KindsOf(self.kinds))


@dataclass
class Checked:
    """The first pass's findings, and the cases it read (spooled, if it found none)."""

    found: Findings = field(default_factory=Findings)
    cases: int = 0
    first_line: dict[int, int] = field(default_factory=dict)  # case id (as int) -> line

    def claim(self, case: ImportedCase) -> None:
        seen = self.first_line.setdefault(case.case_id.int, case.line)
        if seen != case.line:
            raise LineRefused([duplicate(case.case_id.int, case.line, seen)])


def duplicate(case: int, line: int, first: int) -> LineProblem:
    detail = f"case {UUID(int=case)} is on line {first} already"
    return LineProblem(line, "validation-error", detail, ("case_id",))


def file_lines(path: Path) -> Iterator[bytes]:
    """The lines of a file, read afresh on each call."""
    with path.open("rb") as f:
        yield from f


def numbered(lines: Iterable[bytes], first: int = 1) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the lines that are not blank, the first numbered `first`."""
    for number, raw in enumerate(lines, start=first):
        if raw.strip():
            yield number, raw


class ImportService:
    def __init__(
        self, app: CoordinationApplication, directory: Directory, access_log: AccessLog,
        batch_events: int = BATCH_EVENTS, policy: Policy = DEFAULT_POLICY,
        statute: Callable[[], Statute] = lambda: EMPTY_STATUTE,
    ) -> None:  # fmt: skip
        self.app, self.directory, self.access_log = app, directory, access_log
        self.batch_events, self.policy, self.statute = batch_events, policy, statute

    def run(self, lines: Lines, by: ImportedBy) -> ImportSummary:
        """ImportRefused (nothing written) unless every line can be imported."""
        context = self.context(by)
        with spool_directory() as directory:
            spool = directory / "cases.spool"
            checked = self.check(lines, context, spool)
            checked.found.refuse()
            return self.write(spool, context, checked.cases)

    def context(self, by: ImportedBy) -> Context:
        kinds = {a.agency_id: a.kind.value for a in self.directory.list_agencies()}
        return Context(self.app.clock(), frozenset(kinds), by, self.policy, self.statute(), kinds)

    def check(self, lines: Lines, context: Context, spool: Path, first: int = 1) -> Checked:
        """The first pass: every line parsed and replayed through the rules, and while
        none has a problem, each case sealed into the spool; nothing is written to the
        store. `first` numbers the first line (of a part of a file, parts.py)."""
        checked, sealer = Checked(), CaseSealer(self.app)
        with closing(SpoolWriter(spool, self.batch_events)) as out, batch_collection():
            for number, raw in numbered(lines(), first):
                checked.cases += 1
                try:
                    case = parse_line(number, raw, context.now)
                    checked.claim(case)
                    built = build(case, context.agencies, context.policy, context.grounds())
                except LineRefused as refused:
                    checked.found.add(refused.problems)
                    continue
                if not checked.found.count:  # once refused, nothing will be written
                    out.add(sealer.seal(number, built))
        return checked

    def write(self, spool: Path, context: Context, cases: int) -> ImportSummary:
        """The second pass, after a clean first one: the spool written batch by batch."""
        writer = CaseWriter(self.app, self.access_log, context.by, context.now)
        written = Written()
        with batch_collection():
            for batch in batches(spool):
                written += writer.store(batch)
        writer.durable()  # the batches committed without waiting for the disk
        return ImportSummary(cases, written.imported, written.skipped, written.events)
