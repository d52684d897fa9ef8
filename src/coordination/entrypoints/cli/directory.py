"""Agencies and their bearer tokens: `coordination agencies …`, `coordination tokens …`."""

from typing import Annotated

import typer

from coordination.adapters.store.directory import AgencyExists, UnknownAgency
from coordination.domain.identity import Agency, AgencyKind, Role
from coordination.entrypoints.cli.app import agencies, services, tokens


@agencies.command("add")
def agencies_add(
    agency_id: str,
    name: Annotated[str, typer.Option()],
    kind: Annotated[AgencyKind, typer.Option()],
    municipality: Annotated[str, typer.Option()],
    controller: Annotated[
        str | None,
        typer.Option(help="the body responsible for its processing; default: the municipality"),
    ] = None,
) -> None:
    from coordination.domain.rules import SLUG

    for value in (agency_id, municipality, controller or municipality):
        if not SLUG.fullmatch(value):
            raise typer.BadParameter(f"'{value}' is not a slug ([a-z0-9][a-z0-9-]{{1,62}})")
    with services() as svc:
        try:
            svc.directory.add_agency(Agency(agency_id, name, kind, municipality, controller or ""))
        except AgencyExists:
            typer.echo(f"agency '{agency_id}' exists already", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"added {agency_id}")


@agencies.command("list")
def agencies_list() -> None:
    with services() as svc:
        for a in svc.directory.list_agencies():
            typer.echo(f"{a.agency_id}\t{a.kind.value}\t{a.municipality}\t{a.controller}\t{a.name}")


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
