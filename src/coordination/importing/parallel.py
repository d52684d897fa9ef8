"""One file imported by several processes (`coordination import --workers N`).

Parsing, replaying the rules and sealing are Python work on one core per process;
PostgreSQL appends from several processes alike (its table lock orders them). Each
worker takes every N-th line. The passes stay apart: the workers check their lines
in parallel, and no worker writes before all of their findings came back clean and
no case appears in two shares, so the whole input is still checked first.

The importer's identity travels in the `Context` each worker is given, so every
process logs its cases as imported by the same person under the same run id.
"""

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from itertools import repeat
from multiprocessing import get_context
from multiprocessing.synchronize import Lock
from pathlib import Path

from coordination.bootstrap import bootstrap
from coordination.importing.problems import Findings, InputChanged
from coordination.importing.service import (
    Checked,
    Context,
    ImportService,
    ImportSummary,
    Share,
    check,
    duplicate,
    file_lines,
)
from coordination.settings import Settings


class WorkerFailed(Exception):
    """A worker stopped while writing: what it wrote stays, a re-run finishes the rest."""


def import_in_processes(
    settings: Settings, path: Path, context: Context, workers: int
) -> ImportSummary:
    """ImportRefused (nothing written) unless every line of the file can be imported."""
    shares = [Share(i, workers) for i in range(workers)]
    # Spawned, not forked: the parent holds a connection pool and its threads.
    spawn = get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=spawn, initializer=_take, initargs=(spawn.Lock(),)
    ) as pool:
        checked = list(pool.map(_check, repeat(path), repeat(context), shares))
        refuse_unless_clean(checked)
        # The case index served the duplicate check; the writers need only the digests.
        slim = [replace(c, first_line={}) for c in checked]
        done = pool.map(_write, repeat(settings), repeat(path), repeat(context), shares, slim)
        return sum(done, ImportSummary(0, 0, 0, 0))


def refuse_unless_clean(checked: Iterable[Checked]) -> None:
    found, first = Findings(), dict[int, int]()
    for share in checked:
        found.merge(share.found)
        for case, line in share.first_line.items():
            seen = first.setdefault(case, line)
            if seen != line:
                found.add([duplicate(case, max(line, seen), min(line, seen))])
    found.refuse()


def _check(path: Path, context: Context, share: Share) -> Checked:
    return check(lambda: file_lines(path), context, share)


def _write(
    settings: Settings, path: Path, context: Context, share: Share, checked: Checked
) -> ImportSummary:
    assert _bootstrapping is not None
    with _bootstrapping:  # its CREATE ... IF NOT EXISTS race in PostgreSQL's catalog
        services = bootstrap(settings)
    try:
        importer = ImportService(services.app, services.directory, services.access_log)
        return importer.write(lambda: file_lines(path), context, checked, share)
    except (InputChanged, OSError):
        raise
    except Exception as failed:
        # Some errors do not survive the trip to the parent (their arguments do not
        # pickle back); their name and message do.
        raise WorkerFailed(f"{type(failed).__name__}: {failed}") from None
    finally:
        services.close()


# In each worker: the lock the workers of one import share while they bootstrap.
_bootstrapping: Lock | None = None


def _take(lock: Lock) -> None:
    global _bootstrapping  # set once per worker process, by the pool
    _bootstrapping = lock
