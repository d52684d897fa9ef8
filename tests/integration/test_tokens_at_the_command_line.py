"""The operator runs tokens and the directory at the command line (ADR 0054, ADR 0055):
the same limits and log as over the API; tokens from before expiry get an end at
`migrate`; a token life longer than two years stops the start. On both stores."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from coordination.adapters.store.access_log import LogFilter
from coordination.adapters.store.schema import create_tables
from coordination.adapters.timestamps import stamp
from coordination.bootstrap import Services
from coordination.entrypoints.cli.main import cli
from coordination.services.importing import OPERATOR
from coordination.settings import Settings

ADD = ["agencies", "add", "mbe-diakonie-mayen-koblenz", "--name", "MBE Diakonie",
       "--kind", "migrationsberatung", "--municipality", "mayen-koblenz"]  # fmt: skip


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    monkeypatch.setenv("COORDINATION_TOKEN_DAYS", "90")
    return CliRunner()


def test_the_operator_registers_an_agency_with_its_offers_and_contact(
    run: CliRunner, services: Services
) -> None:
    listed = [*ADD, "--offer", "Migrationsberatung für Erwachsene (MBE)", "--offer",
              "Sozialberatung", "--email", "mbe@diakonie-myk.demo.example",
              "--phone", "+49 261 0000-3160"]  # fmt: skip
    assert run.invoke(cli, listed).exit_code == 0, run.invoke(cli, listed).output
    (entry,) = services.directory.entries(municipality="mayen-koblenz")
    assert entry.listing.offers == ("Migrationsberatung für Erwachsene (MBE)", "Sozialberatung")
    assert (entry.listing.email, entry.listing.phone) == (
        "mbe@diakonie-myk.demo.example", "+49 261 0000-3160",
    )  # fmt: skip
    no_mailbox = [*ADD[:2], "jmd-mayen-koblenz", *ADD[3:], "--email", "Frau Müller"]
    assert run.invoke(cli, no_mailbox).exit_code == 2


def test_the_operator_rotates_a_token_and_the_log_names_them(
    run: CliRunner, services: Services
) -> None:
    run.invoke(cli, ADD)
    issue = ["tokens", "issue", "mbe-diakonie-mayen-koblenz", "--role", "caseworker"]
    first, second = run.invoke(cli, [*issue, "--label", "alt"]), run.invoke(cli, issue)
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1].startswith("cst.")
    third = run.invoke(cli, issue)
    assert third.exit_code == 1
    assert "holds 2 active caseworker tokens already" in third.output
    old_id = first.output.split("token id: ")[1].split()[0]
    assert run.invoke(cli, ["tokens", "revoke", old_id]).exit_code == 0
    assert run.invoke(cli, issue).exit_code == 0
    # One line per token, oldest first: id, role, status, issued, expires, last use, label.
    lines = run.invoke(cli, ["tokens", "list", "mbe-diakonie-mayen-koblenz"]).output
    rows = [line.split("\t") for line in lines.splitlines()]
    assert (rows[0][0], rows[0][2], rows[0][5], rows[0][6]) == (old_id, "revoked", "-", "alt")
    assert [r[2] for r in rows] == ["revoked", "active", "active"]
    issued, ends = (datetime.fromisoformat(rows[1][i]) for i in (3, 4))
    assert ends - issued == timedelta(days=90)  # COORDINATION_TOKEN_DAYS
    found, _ = services.access_log.search(LogFilter((OPERATOR,)), 10)
    assert [e.action for e in found] == ["token-issued", "token-revoked", "token-issued",
                                         "token-issued"]  # fmt: skip
    assert {e.basis["agency"] for e in found} == {"mbe-diakonie-mayen-koblenz"}


def test_tokens_from_before_expiry_get_an_end_at_migrate(
    run: CliRunner, services: Services
) -> None:
    run.invoke(cli, ADD)
    now = datetime.now(UTC)
    for token_id, issued in (("0000000000aa", now - timedelta(days=700)),
                             ("0000000000bb", now - timedelta(days=10))):  # fmt: skip
        services.db.execute(
            "INSERT INTO {p}tokens (token_id, agency_id, role, label, secret_hash, created_at)"
            " VALUES (%s, 'mbe-diakonie-mayen-koblenz', 'caseworker', 'old', 'x', %s)",
            (token_id, stamp(issued)),
        )
    create_tables(services.db)  # as `coordination migrate` does
    ends = {t.token_id: t.expires_at for t in services.directory.tokens_of(
        "mbe-diakonie-mayen-koblenz")}  # fmt: skip
    # A year after its issue, but not before 90 days from the upgrade.
    assert ends["0000000000aa"] is not None
    assert timedelta(days=89) < ends["0000000000aa"] - now < timedelta(days=91)
    assert ends["0000000000bb"] == datetime.fromisoformat(
        stamp(now - timedelta(days=10) + timedelta(days=365))
    )


def test_a_token_life_over_two_years_stops_the_start() -> None:
    assert Settings(token_days=730).token_days == 730
    with pytest.raises(ValidationError, match="token_days"):
        Settings(token_days=731)
