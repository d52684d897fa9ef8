"""The `coordination` command. Every subcommand reads COORDINATION_DATABASE_URL."""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
import uvicorn
from fastapi.encoders import jsonable_encoder

from coordination.adapters.hashing.bundle import verify_bundle
from coordination.adapters.hashing.checkpoint import Checkpoint, CheckpointInvalid
from coordination.adapters.runtime.heap import freeze_startup_heap
from coordination.adapters.runtime.logs import configure_logging
from coordination.adapters.store.directory import AgencyExists, UnknownAgency
from coordination.application.errors import CaseNotFound
from coordination.bootstrap import Services, bootstrap
from coordination.domain.case_view import view_case
from coordination.domain.identity import Agency, AgencyKind, Role
from coordination.domain.visibility import Sight
from coordination.services.importing import (
    ImportedBy,
    ImportRefused,
    ImportStopped,
    ImportSummary,
    file_lines,
    operator,
)
from coordination.services.importing.parallel import WorkerFailed, import_in_processes
from coordination.services.integrity import CheckpointTooOld, NotIntact
from coordination.settings import Settings
from projections.runner import Follower

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
agencies = typer.Typer(no_args_is_help=True, help="Register and list agencies.")
tokens = typer.Typer(no_args_is_help=True, help="Issue and revoke bearer tokens.")
projections = typer.Typer(no_args_is_help=True, help="Run, rebuild and inspect read models.")
cli.add_typer(projections, name="projections")
cli.add_typer(agencies, name="agencies")
cli.add_typer(tokens, name="tokens")


@contextmanager
def services() -> Iterator[Services]:
    svc = bootstrap(Settings())
    try:
        yield svc
    finally:
        svc.close()


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    projections: Annotated[
        bool, typer.Option(help="run the projections in this process too")
    ] = True,
    workers: Annotated[
        int,
        typer.Option(min=1, help="API worker processes; more than one implies --no-projections"),
    ] = 1,
) -> None:
    """Serve the HTTP API. Never loads demo data by itself."""
    from coordination.entrypoints.server import listening
    from coordination.entrypoints.server.serving import uvicorn_limits

    if not projections or workers > 1:
        # Several workers share one store; one `projections run` process keeps the views.
        os.environ["COORDINATION_RUN_PROJECTIONS"] = "false"
    # Read by each worker process's app as it starts (adapters/runtime/heap.py).
    os.environ.setdefault("COORDINATION_FREEZE_HEAP", "true")
    options = dict(factory=True, host=host, port=port, workers=workers, log_config=None,
                   access_log=False, **uvicorn_limits())  # fmt: skip
    if workers > 1 and listening.AVAILABLE:
        listening.run_workers(
            uvicorn.Config("coordination.entrypoints.api.app:create_app", **options)
        )
    else:
        uvicorn.run("coordination.entrypoints.api.app:create_app", **options)


@cli.command()
def demo() -> None:
    """Load demo agencies and cases into an empty database and print their tokens."""
    from coordination.entrypoints.cli.demo import load_demo

    with services() as svc:
        load_demo(svc)


@agencies.command("add")
def agencies_add(
    agency_id: str,
    name: Annotated[str, typer.Option()],
    kind: Annotated[AgencyKind, typer.Option()],
    municipality: Annotated[str, typer.Option()],
) -> None:
    from coordination.domain.rules import SLUG

    for value in (agency_id, municipality):
        if not SLUG.fullmatch(value):
            raise typer.BadParameter(f"'{value}' is not a slug ([a-z0-9][a-z0-9-]{{1,62}})")
    with services() as svc:
        try:
            svc.directory.add_agency(Agency(agency_id, name, kind, municipality))
        except AgencyExists:
            typer.echo(f"agency '{agency_id}' exists already", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"added {agency_id}")


@agencies.command("list")
def agencies_list() -> None:
    with services() as svc:
        for a in svc.directory.list_agencies():
            typer.echo(f"{a.agency_id}\t{a.kind.value}\t{a.municipality}\t{a.name}")


@tokens.command("issue")
def tokens_issue(
    agency_id: str,
    role: Annotated[Role, typer.Option()],
    label: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Print the token id, then the token alone on the last line (shown only once)."""
    with services() as svc:
        try:
            issued = svc.directory.issue_token(agency_id, role, label)
        except UnknownAgency:
            typer.echo(f"no agency '{agency_id}'", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"token id: {issued.token_id}")
    typer.echo(issued.token)


@tokens.command("revoke")
def tokens_revoke(token_id: str) -> None:
    with services() as svc:
        if not svc.directory.revoke_token(token_id):
            typer.echo(f"no token '{token_id}'", err=True)
            raise typer.Exit(1)
    typer.echo(f"revoked {token_id}")


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
        view = view_case(case, Sight("cli", svc.app.clock(), {}, everything=True))
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


@projections.command("run")
def projections_run() -> None:
    """Follow the event store and keep every view up to date until interrupted."""
    configure_logging(Settings().log_level)
    with services() as svc:
        runner = svc.runner()
        runner.start()
        freeze_startup_heap()
        typer.echo("projections running; Ctrl-C stops them")
        try:
            while not runner.stopping.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            runner.stop()


@projections.command("rebuild")
def projections_rebuild(name: str) -> None:
    """Empty a view and process the whole store again from the first event."""
    with services() as svc:
        try:
            projection = svc.projection(name)
        except StopIteration:
            typer.echo(f"no projection '{name}'", err=True)
            raise typer.Exit(1) from None
        projection.view.clear()
        processed = Follower(svc.app, projection).catch_up()
        typer.echo(f"rebuilt {name}: {processed} events")


@projections.command("status")
def projections_status() -> None:
    """Position and lag of every view."""
    with services() as svc:
        for p in svc.projections:
            status = Follower(svc.app, p).status(running=False)
            typer.echo(f"{status.name}\tposition {status.position}\thead {status.head}"
                       f"\tlag {status.lag}")  # fmt: skip


@cli.command()
def verify(
    case: Annotated[UUID | None, typer.Option("--case", help="only this case")] = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="a checkpoint file kept earlier")
    ] = None,
) -> None:
    """Check the stored history's hash chains; exit 0 when intact, 1 when not."""
    checkpoint = _read_checkpoint(against) if against else None
    with services() as svc:
        try:
            report = svc.integrity.verify(case, checkpoint)
        except CaseNotFound:
            typer.echo(f"no case {case}", err=True)
            raise typer.Exit(1) from None
    scope = f"case {case}" if case else "store"
    if report.first_failure is None:
        typer.echo(f"{scope} intact: {report.events_checked} events checked")
        return
    typer.echo(f"{scope} NOT intact: {report.events_checked} events checked")
    typer.echo(f"first failure: {report.first_failure.describe()}")
    raise typer.Exit(1)


@cli.command()
def checkpoint(
    out: Annotated[Path | None, typer.Option("--out", help="also write it to this file")] = None,
) -> None:
    """Print a signed head of the store chain (JSON) for an auditor to keep."""
    with services() as svc:
        try:
            head = svc.integrity.checkpoint()
        except NotIntact as refused:
            typer.echo(f"no checkpoint: the store is NOT intact: {refused}", err=True)
            raise typer.Exit(1) from None
    text = json.dumps(head.to_json(), indent=2)
    if out:
        out.write_text(text + "\n")
    typer.echo(text)


@cli.command()
def export(
    case_id: UUID,
    out: Annotated[Path | None, typer.Option("--out", help="default: bundle-CASE_ID.json")] = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="prove against this checkpoint")
    ] = None,
) -> None:
    """Write an audit bundle of one case that `verify-bundle` checks offline."""
    checkpoint = _read_checkpoint(against) if against else None
    target = out or Path(f"bundle-{case_id}.json")
    with services() as svc:
        try:
            raw = svc.integrity.export(case_id, checkpoint)
        except CaseNotFound:
            typer.echo(f"no case {case_id}", err=True)
            raise typer.Exit(1) from None
        except NotIntact as refused:
            typer.echo(f"no bundle: NOT intact: {refused}", err=True)
            raise typer.Exit(1) from None
        except CheckpointTooOld as too_old:
            typer.echo(f"no bundle: {too_old}; make a new checkpoint", err=True)
            raise typer.Exit(1) from None
    # The bundle holds the case's personal data in clear: owner-only, like a key file.
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(raw)
    typer.echo(f"wrote {target}")


@cli.command("verify-bundle")
def verify_bundle_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    public_key: Annotated[
        str | None, typer.Option("--public-key", help="the signing key you trust (base64)")
    ] = None,
) -> None:
    """Check an audit bundle without any database; exit 0 when intact, 1 when not."""
    report = verify_bundle(file.read_bytes(), public_key)
    if report.first_failure is not None:
        typer.echo(f"bundle NOT intact: {report.first_failure.describe()}")
        raise typer.Exit(1)
    typer.echo(
        f"bundle intact: case {report.case_id}, {report.events} events, "
        f"checkpoint position {report.checkpoint_position}, key {report.key_id}"
    )


def _read_checkpoint(path: Path) -> Checkpoint:
    try:
        return Checkpoint.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, CheckpointInvalid) as bad:
        typer.echo(f"cannot read the checkpoint {path}: {bad}", err=True)
        raise typer.Exit(1) from None


def main() -> None:
    cli()
