"""Parsing import lines: what a line must look like, and how problems are reported."""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from coordination.services.importing.lines import parse_line
from coordination.services.importing.problems import (
    Findings,
    ImportRefused,
    LineProblem,
    LineRefused,
)
from tests.import_cases import ABH, MBE, consent, event, line, opening, story
from tests.people import PERSON

NOW = datetime(2026, 9, 1, 9, tzinfo=UTC)


def problems_of(raw: bytes | str, number: int = 7) -> list[LineProblem]:
    with pytest.raises(LineRefused) as refused:
        parse_line(number, raw, NOW)
    return refused.value.problems


def test_a_good_line_becomes_commands_with_time_agency_and_typed_fields() -> None:
    case_id = uuid4()
    case = parse_line(3, line(story(), case_id), NOW)
    assert (case.line, case.case_id) == (3, case_id)
    assert [e.kind for e in case.events] == [
        "CaseOpened", "ConsentGranted", "ReferralSent", "ReferralAccepted"]  # fmt: skip
    opened, granted = case.events[:2]
    assert opened.by.agency == ABH
    assert opened.by.token_label == "fachverfahren"
    assert opened.at == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert opened.fields["person"]["date_of_birth"] == date(1994, 3, 2)
    assert granted.fields["recipients"] == [MBE]
    assert granted.fields["given_on"] == date(2025, 3, 1)
    assert "type" not in granted.fields


def test_a_contact_detail_left_out_stays_and_a_null_one_is_removed() -> None:
    changed = event("ContactChanged", ABH, 1, phone="+49 341 2222222", email=None)
    (_, imported) = parse_line(1, line([opening(), changed]), NOW).events
    assert imported.fields == {"phone": "+49 341 2222222", "email": None, "reason": None}
    kept = event("ContactChanged", ABH, 1, phone="+49 341 2222222")
    (_, imported) = parse_line(1, line([opening(), kept]), NOW).events
    assert "email" not in imported.fields  # the command keeps it as it is


def test_the_token_label_defaults_to_import() -> None:
    opened = opening()
    del opened["recorded_by"]["token_label"]
    assert parse_line(1, line([opened]), NOW).events[0].by.token_label == "import"


def test_a_line_that_is_not_json_is_a_bad_request_with_its_number() -> None:
    (problem,) = problems_of(b'{"case_id": ', number=12)
    assert (problem.line, problem.code) == (12, "bad-request")


def test_schema_problems_name_the_event_and_the_field() -> None:
    bad = consent()
    bad["data"]["given_on"] = "not a date"
    problems = problems_of(line([opening(), bad]))
    assert [(p.code, p.event, p.loc) for p in problems] == [
        ("validation-error", 1, ("events", 1, "data", "given_on"))]  # fmt: skip


def test_every_schema_problem_of_a_line_is_reported() -> None:
    bad = opening()
    bad["data"]["municipality"] = "Not A Slug"
    bad["recorded_by"]["agency"] = "Also Not"
    problems = problems_of(line([bad]))
    assert {p.loc for p in problems} == {
        ("events", 0, "data", "municipality"), ("events", 0, "recorded_by", "agency")}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        lambda line: line.pop("case_id"),
        lambda line: line.update(case_id="legacy-4711"),
        lambda line: line.update(events=[]),
        lambda line: line.update(extra="field"),
        lambda line: line["events"][0].update(type="CaseDeleted"),
        lambda line: line["events"][0]["data"].update(unknown="field"),
        lambda line: line["events"][1]["data"].update(type="ConsentWithdrawn"),
        lambda line: line["events"][0]["recorded_by"].update(token_label="a\nb"),
    ],
    ids=[
        "no case id",
        "not a uuid",
        "no events",
        "unknown field",
        "unknown type",
        "unknown data field",
        "another type in data",
        "control character in label",
    ],
)
def test_lines_that_do_not_fit_the_schema(change: Callable[[dict[str, Any]], object]) -> None:
    body = json.loads(line(story()))
    change(body)
    assert {p.code for p in problems_of(json.dumps(body))} == {"validation-error"}


def test_a_time_without_offset_is_refused_as_ambiguous() -> None:
    naive = opening()
    naive["recorded_at"] = "2025-03-01T08:30:00"
    (problem,) = problems_of(line([naive]))
    assert problem.loc == ("events", 0, "recorded_at")


def test_a_history_starts_with_its_opening_and_only_there() -> None:
    problems = problems_of(line([consent(), opening()]))
    assert [(p.event, p.loc[-1]) for p in problems] == [(0, "type"), (1, "type")]


def test_times_run_forward_and_not_past_now() -> None:
    late = event("CaseClosed", ABH, 24 * 365 * 3, reason="future")  # 2028
    problems = problems_of(line([opening(), consent(hours=5), consent(hours=4), late]))
    assert [(p.event, p.loc[-1]) for p in problems] == [(2, "recorded_at"), (3, "recorded_at")]


def test_problems_never_echo_the_input() -> None:
    person = {**PERSON, "date_of_birth": "Amina-Haddad-not-a-date"}
    problems = problems_of(line([opening(person)]))
    assert "Amina" not in json.dumps([p.as_json() for p in problems])


def test_a_refusal_carries_the_most_basic_code_and_counts_every_problem() -> None:
    problems = [LineProblem(9, "invalid-event", "x"), LineProblem(2, "validation-error", "y"),
                *(LineProblem(n, "consent-required", "z") for n in range(10, 250))]  # fmt: skip
    refused = ImportRefused(problems)
    assert (refused.status, refused.code) == (422, "validation-error")
    assert refused.problems[0].line == 2
    assert len(refused.problems) == 100
    assert "242 problem(s), the first on line 2" in str(refused)
    assert ImportRefused([LineProblem(1, "bad-request", "x"), *problems]).status == 400
    assert ImportRefused(problems[2:]).code == "invalid-event"  # not a 403: it is the input


def test_findings_count_everything_but_keep_the_first_hundred() -> None:
    found = Findings()
    for n in range(1, 1001):
        found.add([LineProblem(n, "invalid-event", "x")])
    found.add([LineProblem(1001, "bad-request", "y")])
    with pytest.raises(ImportRefused) as refused:
        found.refuse()
    assert (refused.value.count, len(refused.value.problems)) == (1001, 100)
    assert refused.value.status == 400  # a line beyond the report still sets the code
