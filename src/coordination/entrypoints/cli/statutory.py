"""The statutory rule book: `coordination rules list | history | add | change | retire`.

The command line acts as an admin, under the operating-system user's login, as
`coordination import` does; every change names its reason (ADR 0038).
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Annotated

import typer

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.domain.identity import Actor, AgencyKind, Role
from coordination.domain.statutory import RuleRefused
from coordination.entrypoints.cli.app import cli, services
from coordination.services.importing import operator
from coordination.services.statutory import BookEntry, Editor, RuleRecorded, RuleState

rules = typer.Typer(no_args_is_help=True, help="The statutory rules: list, history, change.")
cli.add_typer(rules, name="rules")

DAY = ["%Y-%m-%d"]
Kinds = list[AgencyKind]
Reason = Annotated[str, typer.Option(help="why: the book keeps it with the change")]


@rules.command("list")
def rules_list() -> None:
    """Every rule, retired ones too: id, status, purpose, from → to, categories, norm."""
    with services() as svc:
        for state in svc.statutory.rules().rules:
            typer.echo(_state_line(state))


@rules.command("history")
def rules_history() -> None:
    """Every change to the book, oldest first: version, when, what, who, why."""
    with services() as svc:
        for entry in svc.statutory.history():
            typer.echo(_history_line(entry))


@rules.command("add")
def rules_add(
    rule_id: str,
    from_kinds: Annotated[Kinds, typer.Option("--from", help="sending kind (repeat)")],
    to_kinds: Annotated[Kinds, typer.Option("--to", help="receiving kind (repeat)")],
    categories: Annotated[list[Category], typer.Option("--category", help="(repeat)")],
    purpose: Annotated[Purpose, typer.Option()],
    citation: Annotated[str, typer.Option(help='the norm, e.g. "§ 69 Abs. 1 Nr. 1 SGB X"')],
    text: Annotated[str, typer.Option(help="what the norm permits, paraphrased")],
    valid_from: Annotated[datetime, typer.Option(formats=DAY)],
    reason: Reason,
    valid_until: Annotated[datetime | None, typer.Option(formats=DAY)] = None,
) -> None:
    """Add a rule to the book."""
    rule = StatutoryRule(
        rule_id, frozenset(k.value for k in from_kinds), frozenset(k.value for k in to_kinds),
        frozenset(categories), purpose, Norm(citation, text), valid_from.date(),
        _day(valid_until),
    )  # fmt: skip
    with services() as svc:
        _done(lambda: svc.statutory.add(_operator(), rule, reason), "added")


@rules.command("change")
def rules_change(
    rule_id: str,
    reason: Reason,
    from_kinds: Annotated[Kinds | None, typer.Option("--from")] = None,
    to_kinds: Annotated[Kinds | None, typer.Option("--to")] = None,
    categories: Annotated[list[Category] | None, typer.Option("--category")] = None,
    purpose: Annotated[Purpose | None, typer.Option()] = None,
    citation: Annotated[str | None, typer.Option()] = None,
    text: Annotated[str | None, typer.Option()] = None,
    valid_from: Annotated[datetime | None, typer.Option(formats=DAY)] = None,
    valid_until: Annotated[datetime | None, typer.Option(formats=DAY)] = None,
    open_ended: Annotated[bool, typer.Option("--open-ended", help="no last day")] = False,
) -> None:
    """Change a rule: what is given replaces what the rule says, the rest stays."""
    with services() as svc:
        current = next((s.rule for s in svc.statutory.rules().rules if s.rule.rule_id == rule_id),
                       None)  # fmt: skip
        if current is None:
            typer.echo(f"the rule book holds no rule '{rule_id}'", err=True)
            raise typer.Exit(1)
        if open_ended and valid_until:
            typer.echo("give --valid-until or --open-ended, not both", err=True)
            raise typer.Exit(2)
        norm = Norm(citation or current.norm.citation, text or current.norm.text)
        rule = replace(current, norm=norm, purpose=purpose or current.purpose)
        if from_kinds:
            rule = replace(rule, from_kinds=frozenset(k.value for k in from_kinds))
        if to_kinds:
            rule = replace(rule, to_kinds=frozenset(k.value for k in to_kinds))
        if categories:
            rule = replace(rule, categories=frozenset(categories))
        if valid_from:
            rule = replace(rule, valid_from=valid_from.date())
        if open_ended or valid_until:
            rule = replace(rule, valid_until=None if open_ended else _day(valid_until))
        _done(lambda: svc.statutory.change(_operator(), rule, reason), "changed")


@rules.command("retire")
def rules_retire(rule_id: str, reason: Reason) -> None:
    """Retire a rule: from now on it permits nothing; its past stays in the book."""
    with services() as svc:
        _done(lambda: svc.statutory.retire(_operator(), rule_id, reason), "retired")


def _operator() -> Editor:
    by = operator()
    return Editor(Actor(by.agency_id, by.token_label), Role.ADMIN)


def _done(write: Callable[[], RuleRecorded], verb: str) -> None:
    try:
        recorded = write()
    except RuleRefused as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{verb} {recorded.state.rule.rule_id}: {recorded.state.status.value} "
               f"(rule book version {recorded.version})")  # fmt: skip


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _state_line(state: RuleState) -> str:
    rule = state.rule
    until = rule.valid_until.isoformat() if rule.valid_until else "open"
    return "\t".join((
        rule.rule_id, state.status.value, rule.purpose.value,
        f"{','.join(sorted(rule.from_kinds))} -> {','.join(sorted(rule.to_kinds))}",
        ",".join(sorted(c.value for c in rule.categories)),
        f"{rule.valid_from.isoformat()}..{until}", rule.norm.citation,
    ))  # fmt: skip


def _history_line(entry: BookEntry) -> str:
    return "\t".join((
        str(entry.version), entry.recorded_at.isoformat(), entry.type, entry.rule_id or "-",
        f"{entry.recorded_by}/{entry.token_label}", entry.reason or "-",
    ))  # fmt: skip
