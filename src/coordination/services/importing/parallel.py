"""One file imported by several processes (`coordination import --workers N`).

Parsing, replaying the rules and sealing are Python work on one core per process;
PostgreSQL appends from several processes alike (its table lock orders them). The
file is cut into parts of whole lines (parts.py), and N processes, this one and
N - 1 spawned, take the parts one at a time, whichever is free: a spawned process
spends a second or more importing the service before it can help, and this one
works meanwhile instead of waiting for it.

The passes stay apart. Each part is checked into a spool file of its own, in a
private directory this process makes and removes at the end; no process writes
before every part came back clean and no case appears in two of them, so the whole
input is still checked first. Then the processes take the spools one at a time and
write them: whoever writes part i reads part i's file, named by the part (the
processes are spawned, so nothing open is inherited).

The importer's identity travels in the `Context` each process is given, so every
process logs its cases as imported by the same person under the same run id.
"""

import gc
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from multiprocessing.context import SpawnContext
from pathlib import Path
from typing import TypeVar

from coordination.services.importing.parts import PART_BYTES, Part, part_lines, plan
from coordination.services.importing.problems import Findings, ImportStopped
from coordination.services.importing.service import (
    Checked,
    Context,
    ImportService,
    ImportSummary,
    duplicate,
)
from coordination.services.importing.spool import spool_directory

T = TypeVar("T")
# Opens an import service of a spawned process's own (store connections, keys): given by
# the composition root, and picklable, since each process is spawned with it.
Opener = Callable[[], AbstractContextManager[ImportService]]


class WorkerFailed(Exception):
    """A worker stopped: what was written stays, a re-run finishes the rest."""


class Shared:
    """What the processes of one import share: the index of the next part to take.
    Spawned processes get it as they start, as multiprocessing wants. (They bootstrap
    in turn under the store's own lock, coordination/bootstrap.py.)"""

    def __init__(self, spawn: SpawnContext) -> None:
        self.next = spawn.Value("q", 0)

    def take(self, parts: Sequence[Part]) -> Iterator[Part]:
        """The parts this process takes, one at a time, until none is left."""
        while True:
            with self.next.get_lock():
                i = self.next.value
                self.next.value = i + 1
            if i >= len(parts):
                return
            yield parts[i]

    def restart(self) -> None:
        self.next.value = 0

    def stop(self, parts: Sequence[Part]) -> None:
        """No process takes another part (one failed); each ends the part it has."""
        with self.next.get_lock():
            self.next.value = len(parts)


@dataclass(frozen=True)
class Job:
    """One import's file, its parts and where their spools go. Each process works on
    the parts it takes, with its own importer (made here, unless given)."""

    opener: Opener
    path: Path
    context: Context
    parts: list[Part]
    directory: Path

    def check(self, shared: Shared, importer: ImportService | None = None) -> dict[int, Checked]:
        return self._each(shared, self._check, importer)

    def write(
        self, shared: Shared, cases: dict[int, int], importer: ImportService | None = None
    ) -> dict[int, ImportSummary]:
        return self._each(shared, partial(self._write, cases), importer)

    def spool(self, part: Part) -> Path:
        return self.directory / f"part-{part.index}.spool"

    def _check(self, importer: ImportService, part: Part) -> Checked:
        lines = partial(part_lines, self.path, part)
        return importer.check(lines, self.context, self.spool(part), part.first_line)

    def _write(self, cases: dict[int, int], importer: ImportService, part: Part) -> ImportSummary:
        return importer.write(self.spool(part), self.context, cases[part.index])

    def _each(
        self, shared: Shared, work: Callable[[ImportService, Part], T],
        importer: ImportService | None,
    ) -> dict[int, T]:  # fmt: skip
        taken = shared.take(self.parts)
        first = next(taken, None)
        if first is None:  # started when every part was taken: nothing to bootstrap for
            return {}
        try:
            with ExitStack() as stack:
                if importer is None:
                    importer = stack.enter_context(self.opener())
                return {p.index: work(importer, p) for p in itertools.chain([first], taken)}
        except BaseException as failed:
            shared.stop(self.parts)
            if isinstance(failed, ImportStopped | OSError) or not isinstance(failed, Exception):
                raise
            # Some errors do not survive the trip to the parent (their arguments do not
            # pickle back); their name and message do.
            raise WorkerFailed(f"{type(failed).__name__}: {failed}") from None


def import_in_processes(
    importer: ImportService, opener: Opener, path: Path, context: Context, workers: int,
    part_bytes: int = PART_BYTES,
) -> ImportSummary:  # fmt: skip
    """ImportRefused (nothing written) unless every line of the file can be imported."""
    spawn = get_context("spawn")  # not forked: this process holds a pool and its threads
    shared = Shared(spawn)
    # The pool ends (its processes done with the files) before the directory goes.
    with spool_directory() as directory, ProcessPoolExecutor(
        max(workers - 1, 1), mp_context=spawn, initializer=_started, initargs=(shared,)
    ) as pool:  # fmt: skip
        job, helpers = Job(opener, path, context, plan(path, part_bytes), directory), workers - 1
        checking = [pool.submit(_check, job) for _ in range(helpers)]
        # This process works with its own importer, in both passes.
        checked = _together(job, job.check(shared, importer), checking)
        refuse_unless_clean(checked.values())
        shared.restart()  # every process is done checking: the parts go round again
        cases = {i: c.cases for i, c in checked.items()}
        writing = [pool.submit(_write, job, cases) for _ in range(helpers)]
        written = _together(job, job.write(shared, cases, importer), writing)
        return sum(written.values(), ImportSummary(0, 0, 0, 0))


def _together(job: Job, mine: dict[int, T], helping: list["Future[dict[int, T]]"]) -> dict[int, T]:
    """This process's results and its helpers', one for every part."""
    for future in helping:
        mine |= future.result()
    assert sorted(mine) == [p.index for p in job.parts]
    return mine


def refuse_unless_clean(checked: Iterable[Checked]) -> None:
    found, first = Findings(), dict[int, int]()
    for part in checked:
        found.merge(part.found)
        for case, line in part.first_line.items():
            seen = first.setdefault(case, line)
            if seen != line:
                found.add([duplicate(case, max(line, seen), min(line, seen))])
    found.refuse()


# In each spawned process: what the processes of its import share.
_shared: Shared | None = None


def _started(shared: Shared) -> None:
    global _shared  # set once per spawned process, by the pool
    _shared = shared
    # What the process imported lives as long as it does: the collector need not
    # look through it again on every full collection.
    gc.freeze()


def _check(job: Job) -> dict[int, Checked]:
    assert _shared is not None
    return job.check(_shared)


def _write(job: Job, cases: dict[int, int]) -> dict[int, ImportSummary]:
    assert _shared is not None
    return job.write(_shared, cases)
