"""Staff accounts: `coordination users add|list|disable|reset`.

Without `--password-stdin`, `add` and `reset` print a one-time link on their last line,
where the person sets their password (valid three days, once).
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from coordination.adapters.store.accounts import AccountExists
from coordination.adapters.store.directory import UnknownAgency
from coordination.domain.accounts import AccountError
from coordination.domain.identity import Role
from coordination.entrypoints.cli.app import services, users
from coordination.settings import Settings

LINK_PATH = "/password/"  # the web app's page for a one-time link


@users.command("add")
def users_add(
    email: str,
    agency: Annotated[str, typer.Option(help="the agency the person works for")],
    role: Annotated[list[Role], typer.Option(help="repeat for several roles")],
    name: Annotated[str | None, typer.Option(help="the name shown to auditors and DPOs")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with services() as svc, refusals_exit():
        added = svc.accounts.add(email, agency, tuple(role), name, password)
    typer.echo(f"added {added.user.email} ({added.user.user_id})")
    if added.link is not None:
        typer.echo(_link(added.link))


@users.command("list")
def users_list(
    agency: Annotated[str | None, typer.Option(help="only this agency's accounts")] = None,
) -> None:
    with services() as svc:
        for u in svc.accounts.listed(agency):
            state = "disabled" if u.disabled else ("active" if u.has_password else "invited")
            roles = ",".join(u.roles)
            typer.echo(f"{u.email}\t{u.user_id}\t{u.agency_id}\t{roles}\t{state}\t{u.display_name}")


@users.command("disable")
def users_disable(email: str) -> None:
    """The account signs in no more; its sessions end now."""
    with services() as svc, refusals_exit():
        user = svc.accounts.disable(email)
    typer.echo(f"disabled {user.email}")


@users.command("reset")
def users_reset(email: str) -> None:
    """The password is void at once, the sessions end; the last line is the new link."""
    with services() as svc, refusals_exit():
        link = svc.accounts.reset(email)
    typer.echo(_link(link))


@contextmanager
def refusals_exit() -> Iterator[None]:
    """A refused command says why on standard error and exits 1, having changed nothing."""
    try:
        yield
    except (AccountError, AccountExists, UnknownAgency) as refused:
        typer.echo(_refusal(refused), err=True)
        raise typer.Exit(1) from None


def _link(token: str) -> str:
    return Settings().public_url.rstrip("/") + LINK_PATH + token


def _refusal(refused: Exception) -> str:
    if isinstance(refused, AccountExists):
        return f"an account for {refused} exists already"
    if isinstance(refused, UnknownAgency):
        return f"no agency '{refused}'"
    return str(refused)
