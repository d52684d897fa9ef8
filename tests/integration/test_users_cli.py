"""`coordination users …`: staff accounts from the command line."""

import re

import pytest
from typer.testing import CliRunner

from coordination.bootstrap import Services
from coordination.entrypoints.cli.main import cli

LINK = re.compile(r"^http://127\.0\.0\.1:8000/password/[\w-]{43}$")
ADD = ["users", "add", "Mira@Example.org", "--agency", "mbe-mk", "--role", "caseworker",
       "--role", "dpo", "--name", "Mira Schmidt"]  # fmt: skip


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, services: Services) -> CliRunner:
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    runner = CliRunner()
    agency = ["agencies", "add", "mbe-mk", "--name", "MBE", "--kind", "migrationsberatung",
              "--municipality", "mayen-koblenz"]  # fmt: skip
    assert runner.invoke(cli, agency).exit_code == 0
    return runner


def test_an_account_without_a_password_gets_a_one_time_link(
    run: CliRunner, services: Services
) -> None:
    added = run.invoke(cli, ADD)
    assert added.exit_code == 0, added.output
    link = added.output.splitlines()[-1]
    assert LINK.match(link)
    listed = run.invoke(cli, ["users", "list"]).output.splitlines()
    assert len(listed) == 1
    email, user_id, agency, roles, state, name = listed[0].split("\t")
    assert (email, agency, roles, state, name) == (
        "mira@example.org",
        "mbe-mk",
        "caseworker,dpo",
        "invited",
        "Mira Schmidt",
    )
    assert user_id.startswith("u-")  # the pseudonym events and the access log name
    services.accounts.set_password(link.rsplit("/", 1)[1], "a long enough password")
    assert services.accounts.sign_in("mira@example.org", "a long enough password", "x")
    assert run.invoke(cli, ADD).exit_code == 1  # once per address


def test_a_password_from_standard_input_and_the_rules_it_meets(
    run: CliRunner, services: Services
) -> None:
    piped = run.invoke(cli, [*ADD, "--password-stdin"], input="a long enough password\n")
    assert piped.exit_code == 0, piped.output
    assert "/password/" not in piped.output
    assert services.accounts.sign_in("mira@example.org", "a long enough password", "x")
    short = ["users", "add", "b@example.org", "--agency", "mbe-mk", "--role", "auditor",
             "--password-stdin"]  # fmt: skip
    refused = run.invoke(cli, short, input="too short\n")
    assert refused.exit_code == 1
    assert "at least 12 characters" in refused.output
    unknown = ["users", "add", "c@example.org", "--agency", "nowhere", "--role", "auditor"]
    assert run.invoke(cli, unknown).exit_code == 1
    assert [u.email for u in services.accounts.listed()] == ["mira@example.org"]


def test_disable_and_reset_end_what_the_account_could_do(
    run: CliRunner, services: Services
) -> None:
    run.invoke(cli, [*ADD, "--password-stdin"], input="a long enough password\n")
    session = services.accounts.sign_in("mira@example.org", "a long enough password", "x")
    reset = run.invoke(cli, ["users", "reset", "mira@example.org"])
    assert reset.exit_code == 0
    assert LINK.match(reset.output.splitlines()[-1])
    assert services.accounts.session(session.token) is None
    assert run.invoke(cli, ["users", "disable", "mira@example.org"]).exit_code == 0
    assert "disabled" in run.invoke(cli, ["users", "list"]).output
    assert run.invoke(cli, ["users", "disable", "nobody@example.org"]).exit_code == 1
