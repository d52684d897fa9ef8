"""Tamper evidence: `coordination verify | checkpoint | export | verify-bundle`."""

import json
import os
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from coordination.adapters.hashing.bundle import verify_bundle
from coordination.adapters.hashing.checkpoint import Checkpoint, CheckpointInvalid
from coordination.application.errors import CaseNotFound
from coordination.entrypoints.cli.app import cli, services
from coordination.services.integrity import CheckpointTooOld, NotIntact


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
