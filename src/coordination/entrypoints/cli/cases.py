"""Cases from the command line: replay one as it was, import existing ones."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from fastapi.encoders import jsonable_encoder

from coordination.bootstrap import Services
from coordination.domain.case_view import view_case
from coordination.domain.visibility import Sight
from coordination.entrypoints.cli.app import cli, services
from coordination.services.importing import (
    ImportedBy,
    ImportRefused,
    ImportStopped,
    ImportSummary,
    file_lines,
    operator,
)
from coordination.services.importing.parallel import WorkerFailed, import_in_processes


@cli.command()
def replay(
    case_id: UUID,
    as_of: Annotated[datetime | None, typer.Option("--as-of")] = None,
    version: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Print a case's state as JSON, now or as it was at a time or version."""
    with services() as svc:
        if as_of is not None:
            as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
            events = [e for e in svc.app.history(case_id) if e.timestamp <= as_of]
            if not events:
                typer.echo("the case did not exist then", err=True)
                raise typer.Exit(1)
            version = events[-1].originator_version
        case = svc.app.get_case(case_id, version)
        view = view_case(case, Sight("cli", svc.app.clock(), everything=True))
        state = {"case_id": case.id, "version": case.version, **(view.data or {})}
        typer.echo(json.dumps(jsonable_encoder(state), indent=2, ensure_ascii=False))


@cli.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    workers: Annotated[int, typer.Option(
        min=1, help="processes, this one included, sharing the file's parts (PostgreSQL)")] = 1,
) -> None:  # fmt: skip
    """Import existing cases from NDJSON (docs/import.md). The whole file is checked
    first: one bad line and nothing is imported. Cases stored already are skipped.
    Each imported case is logged as imported by you (your login) under the run id."""
    by = operator()
    typer.echo(f"import run {by.request_id} by {by.token_label}")
    with services() as svc:
        try:
            done = _import(svc, file, workers, by)
        except ImportRefused as refused:
            for problem in refused.problems:
                typer.echo(problem.describe(), err=True)
            typer.echo(str(refused), err=True)
            raise typer.Exit(1) from None
        except (ImportStopped, WorkerFailed) as stopped:
            typer.echo(str(stopped), err=True)
            raise typer.Exit(1) from None
    typer.echo(f"imported {done.imported} cases ({done.events} events), skipped "
               f"{done.skipped} stored before; {done.cases} cases in the file")  # fmt: skip


def _import(svc: Services, file: Path, workers: int, by: ImportedBy) -> ImportSummary:
    if workers == 1:
        return svc.importing.run(lambda: file_lines(file), by)
    if svc.config.dialect != "postgres":
        raise typer.BadParameter("several workers need PostgreSQL: SQLite has one writer")
    context = svc.importing.context(by)
    return import_in_processes(svc.importing, svc.import_worker, file, context, workers)
