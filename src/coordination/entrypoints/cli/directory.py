"""Agencies and their bearer tokens: `coordination agencies …`, `coordination tokens …`.

Tokens are run through the same use case as `/v1/tokens` (ADR 0055): they end after
`COORDINATION_TOKEN_DAYS`, an agency holds at most two active ones per role, and every
issue and revocation is an access-log entry naming the operator (`operator:cli`).
"""

import re
from datetime import datetime
from typing import Annotated

import typer

from coordination.adapters.store.directory import (
    AgencyExists,
    Listing,
    TooManyTokens,
    UnknownAgency,
)
from coordination.adapters.timestamps import stamp
from coordination.domain.identity import Agency, AgencyKind, Role
from coordination.entrypoints.cli.app import agencies, services, tokens
from coordination.services.agency_tokens import Administrator, NoSuchToken

# An office's contact (ADR 0054): a mailbox and a phone number, loosely checked.
MAILBOX = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[0-9][0-9 ()/-]{2,30}")
MOST_OFFERS, LONGEST_OFFER = 20, 200


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
    offer: Annotated[
        list[str] | None, typer.Option(help="what it offers, a short text; repeat for several")
    ] = None,
    email: Annotated[str | None, typer.Option(help="the office's functional mailbox")] = None,
    phone: Annotated[str | None, typer.Option(help="the office's phone number")] = None,
) -> None:
    from coordination.domain.rules import SLUG

    for value in (agency_id, municipality, controller or municipality):
        if not SLUG.fullmatch(value):
            raise typer.BadParameter(f"'{value}' is not a slug ([a-z0-9][a-z0-9-]{{1,62}})")
    listing = _listing(offer or [], email, phone)
    with services() as svc:
        try:
            agency = Agency(agency_id, name, kind, municipality, controller or "")
            svc.directory.add_agency(agency, listing)
        except AgencyExists:
            typer.echo(f"agency '{agency_id}' exists already", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"added {agency_id}")


@agencies.command("list")
def agencies_list() -> None:
    with services() as svc:
        for a in svc.directory.list_agencies():
            typer.echo(f"{a.agency_id}\t{a.kind.value}\t{a.municipality}\t{a.controller}\t{a.name}")


def _listing(offers: list[str], email: str | None, phone: str | None) -> Listing:
    if len(offers) > MOST_OFFERS or any(not 0 < len(o) <= LONGEST_OFFER for o in offers):
        msg = f"at most {MOST_OFFERS} offers of 1 to {LONGEST_OFFER} characters each"
        raise typer.BadParameter(msg)
    if email is not None and not MAILBOX.fullmatch(email):
        raise typer.BadParameter(f"'{email}' is not a mailbox")
    if phone is not None and not PHONE.fullmatch(phone):
        raise typer.BadParameter(f"'{phone}' is not a phone number")
    return Listing(tuple(offers), email, phone)


@tokens.command("issue")
def tokens_issue(
    agency_id: str,
    role: Annotated[Role, typer.Option()],
    label: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Print the token id and its end, then the token alone on the last line (shown
    only once). Exits 1 for an unknown agency, or one holding two active tokens of the
    role already."""
    with services() as svc:
        try:
            issued = svc.agency_tokens.issue(
                Administrator.at_the_command_line(), agency_id, role, label
            )
        except UnknownAgency:
            typer.echo(f"no agency '{agency_id}'", err=True)
            raise typer.Exit(1) from None
        except TooManyTokens as refused:
            typer.echo(str(refused), err=True)
            raise typer.Exit(1) from None
    typer.echo(f"token id: {issued.state.record.token_id}")
    typer.echo(f"expires: {_when(issued.state.record.expires_at)}")
    typer.echo(issued.token)


@tokens.command("list")
def tokens_list(agency_id: str) -> None:
    """One token per line, oldest first, tab-separated: token id, role, status, issued,
    expires, last used (`-`: never), label. Never a secret."""
    with services() as svc:
        for state in svc.agency_tokens.listed(Administrator.at_the_command_line(), agency_id):
            t = state.record
            typer.echo("\t".join((t.token_id, t.role.value, state.status.value,
                                  _when(t.issued_at), _when(t.expires_at),
                                  _when(t.last_used_at), t.label)))  # fmt: skip


@tokens.command("revoke")
def tokens_revoke(token_id: str) -> None:
    with services() as svc:
        try:
            svc.agency_tokens.revoke(Administrator.at_the_command_line(), token_id)
        except NoSuchToken:
            typer.echo(f"no token '{token_id}'", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"revoked {token_id}")


def _when(at: datetime | None) -> str:
    return stamp(at) if at is not None else "-"
