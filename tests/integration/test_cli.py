"""The `coordination` command against the same database as the server."""

import json
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from coordination.bootstrap import Services
from coordination.entrypoints.cli.main import cli
from tests.support import DEMO_EVENTS, STARTER_EVENTS, postgres_schema


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    return CliRunner()


def test_agencies_are_added_once_and_listed(run: CliRunner) -> None:
    add = ["agencies", "add", "abh-leipzig", "--name", "ABH Leipzig",
           "--kind", "auslaenderbehoerde", "--municipality", "leipzig"]  # fmt: skip
    assert run.invoke(cli, add).exit_code == 0
    assert run.invoke(cli, add).exit_code == 1
    own = ["agencies", "add", "jobcenter-leipzig", "--name", "Jobcenter Leipzig",
           "--kind", "jobcenter", "--municipality", "leipzig",
           "--controller", "jobcenter-leipzig"]  # fmt: skip
    assert run.invoke(cli, own).exit_code == 0
    # id, kind, municipality, controller (unnamed: the municipality), name
    listed = run.invoke(cli, ["agencies", "list"]).output.splitlines()
    assert listed == [
        "abh-leipzig\tauslaenderbehoerde\tleipzig\tleipzig\tABH Leipzig",
        "jobcenter-leipzig\tjobcenter\tleipzig\tjobcenter-leipzig\tJobcenter Leipzig",
    ]


def test_agency_ids_must_be_slugs(run: CliRunner) -> None:
    bad = ["agencies", "add", "ABH Leipzig", "--name", "x", "--kind", "other",
           "--municipality", "leipzig"]  # fmt: skip
    assert run.invoke(cli, bad).exit_code == 2
    bad_controller = ["agencies", "add", "abh-leipzig", "--name", "x", "--kind", "other",
                      "--municipality", "leipzig", "--controller", "Stadt Leipzig"]  # fmt: skip
    assert run.invoke(cli, bad_controller).exit_code == 2


def test_a_token_issued_by_the_cli_works_at_once_and_revocation_too(
    run: CliRunner, served: httpx.Client, services: Services
) -> None:
    run.invoke(cli, ["agencies", "add", "mbe-leipzig", "--name", "MBE",
                     "--kind", "migrationsberatung", "--municipality", "leipzig"])  # fmt: skip
    issued = run.invoke(cli, ["tokens", "issue", "mbe-leipzig", "--role", "caseworker",
                              "--label", "fachverfahren"])  # fmt: skip
    assert issued.exit_code == 0
    token = issued.output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"person": {"given_name": "A", "family_name": "B"}, "municipality": "leipzig"}
    assert served.post("/v1/cases", json=body, headers=headers).status_code == 201

    token_id = token.split(".")[1]
    assert run.invoke(cli, ["tokens", "revoke", token_id]).exit_code == 0
    assert served.post("/v1/cases", json=body, headers=headers).status_code == 401
    assert run.invoke(cli, ["tokens", "revoke", "nosuchtoken"]).exit_code == 1


def test_tokens_for_unknown_agencies_are_refused(run: CliRunner) -> None:
    assert run.invoke(cli, ["tokens", "issue", "nobody", "--role", "caseworker"]).exit_code == 1


def test_the_demo_loads_into_an_empty_database_only(run: CliRunner) -> None:
    first = run.invoke(cli, ["demo"])
    assert first.exit_code == 0, first.output
    assert "Mayen-Koblenz case:" in first.output
    assert first.output.count("cst.") == 12  # eleven tokens and the curl line
    assert run.invoke(cli, ["demo"]).exit_code == 1


def test_replay_prints_a_case_as_it_was(run: CliRunner) -> None:
    demo = run.invoke(cli, ["demo"]).output
    case_id = demo.split("Mayen-Koblenz case: ")[1].split()[0]
    now = json.loads(run.invoke(cli, ["replay", case_id]).output)
    first = json.loads(run.invoke(cli, ["replay", case_id, "--version", "1"]).output)
    assert (now["version"], len(now["referrals"])) == (3, 1)
    assert (first["version"], first["referrals"], first["consents"]) == (1, [], [])


def test_projections_report_their_lag_and_rebuild_from_zero(run: CliRunner) -> None:
    run.invoke(cli, ["demo"])
    head = STARTER_EVENTS + DEMO_EVENTS  # the rule book's starter set, then the demo's
    before = run.invoke(cli, ["projections", "status"]).output
    assert before.startswith(f"caseload\tposition 0\thead {head}\tlag {head}"), before
    rebuilt = run.invoke(cli, ["projections", "rebuild", "caseload"])
    assert rebuilt.output.strip() == f"rebuilt caseload: {head} events"
    after = run.invoke(cli, ["projections", "status"]).output
    assert after.startswith(f"caseload\tposition {head}\thead {head}\tlag 0"), after
    assert run.invoke(cli, ["projections", "rebuild", "nothing"]).exit_code == 1


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migrate_makes_the_schema_once_and_other_commands_wait_for_it(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'fresh.db'}" if store == "sqlite"
               else stack.enter_context(postgres_schema()))  # fmt: skip
        monkeypatch.setenv("COORDINATION_DATABASE_URL", url)
        run = CliRunner()
        # 1. Before the schema exists, a command says what to do and changes nothing.
        refused = run.invoke(cli, ["agencies", "list"])
        assert refused.exit_code == 1
        assert "run `coordination migrate`" in refused.output
        # 2. `migrate` makes it, and says so again when run again.
        for _ in range(2):
            migrated = run.invoke(cli, ["migrate"])
            assert migrated.exit_code == 0, migrated.output
            assert "up to date" in migrated.output
        # 3. Now the other commands work on it.
        add = ["agencies", "add", "abh-leipzig", "--name", "ABH", "--kind", "other",
               "--municipality", "leipzig"]  # fmt: skip
        assert run.invoke(cli, add).exit_code == 0
        assert "abh-leipzig" in run.invoke(cli, ["agencies", "list"]).output
