"""`coordination rules list | history | add | change | retire`, as an admin, on both stores."""

import getpass

import pytest
from typer.testing import CliRunner

from coordination.domain.statutory import STARTER_SET
from coordination.entrypoints.cli.main import cli
from tests.support import STARTER_EVENTS

ADD = ["rules", "add", "land-rule", "--from", "kommune", "--to", "integrationsmanagement",
       "--category", "integration_plan", "--purpose", "case_management",
       "--citation", "§ 5 LIntG (example)", "--text", "the plan to the managers",
       "--valid-from", "2026-01-01", "--reason", "reviewed by the DPO"]  # fmt: skip


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COORDINATION_DATABASE_URL", database_url)
    return CliRunner()


def lines(run: CliRunner, *args: str) -> list[list[str]]:
    result = run.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return [line.split("\t") for line in result.output.splitlines()]


def test_the_starter_set_is_listed_with_its_status_and_history(run: CliRunner) -> None:
    listed = lines(run, "rules", "list")
    assert [(row[0], row[1]) for row in listed] == sorted(
        (r.rule_id, "in_force") for r in STARTER_SET
    )
    history = lines(run, "rules", "history")
    assert len(history) == STARTER_EVENTS
    assert {(row[4], row[5]) for row in history[1:]} == {("system/starter-set", "in force by law")}


def test_an_operator_adds_changes_and_retires_a_rule_with_reasons(run: CliRunner) -> None:
    added = run.invoke(cli, ADD)
    assert added.exit_code == 0, added.output
    assert added.output.startswith("added land-rule: in_force")
    changed = run.invoke(cli, ["rules", "change", "land-rule", "--category", "integration_plan",
                               "--category", "counselling", "--valid-until", "2027-12-31",
                               "--reason", "the Land amended it"])  # fmt: skip
    assert changed.exit_code == 0, changed.output
    row = next(r for r in lines(run, "rules", "list") if r[0] == "land-rule")
    assert row[4:6] == ["counselling,integration_plan", "2026-01-01..2027-12-31"]
    assert row[3] == "kommune -> integrationsmanagement"  # what was not given stays

    retired = run.invoke(cli, ["rules", "retire", "land-rule", "--reason", "repealed"])
    assert retired.output.startswith("retired land-rule: retired")
    again = run.invoke(cli, ["rules", "retire", "land-rule", "--reason", "repealed"])
    assert again.exit_code == 1
    assert "is retired" in again.output

    recent = lines(run, "rules", "history")[-3:]
    assert [(r[2], r[3], r[5]) for r in recent] == [
        ("RuleAdded", "land-rule", "reviewed by the DPO"),
        ("RuleChanged", "land-rule", "the Land amended it"),
        ("RuleRetired", "land-rule", "repealed"),
    ]
    assert {r[4] for r in recent} == {f"operator:cli/{getpass.getuser()}"}


def test_refusals_say_why_and_change_nothing(run: CliRunner) -> None:
    assert run.invoke(cli, ADD).exit_code == 0
    duplicate = run.invoke(cli, ADD)
    assert (duplicate.exit_code, "holds a rule 'land-rule' already" in duplicate.output) == (
        1, True,
    )  # fmt: skip
    reversed_days = run.invoke(cli, [*ADD[:2], "other-rule", *ADD[3:], "--valid-until",
                                     "2025-01-01"])  # fmt: skip
    assert reversed_days.exit_code == 1
    assert "valid_until lies before valid_from" in reversed_days.output
    assert run.invoke(cli, [*ADD[:4], "police", *ADD[5:]]).exit_code == 2  # not a kind
    unknown = run.invoke(cli, ["rules", "change", "no-rule", "--reason", "r"])
    assert unknown.exit_code == 1
    both = run.invoke(cli, ["rules", "change", "land-rule", "--reason", "r", "--open-ended",
                            "--valid-until", "2027-12-31"])  # fmt: skip
    assert both.exit_code == 2
    assert "not both" in both.output
    assert len(lines(run, "rules", "history")) == STARTER_EVENTS + 1
