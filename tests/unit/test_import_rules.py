"""Imported histories obey the case's own rules, judged as things stood at each event."""

from datetime import UTC, date, datetime

import pytest

from consent import Category, Norm, Purpose, RuleVersion, Statute, StatutoryRule
from coordination.domain.case import Case
from coordination.domain.grounds import Grounds
from coordination.services.importing.build import build
from coordination.services.importing.lines import parse_line
from coordination.services.importing.problems import LineProblem, LineRefused
from tests.import_cases import ABH, MBE, consent, event, line, opening, referral, story

NOW = datetime(2026, 9, 1, 9, tzinfo=UTC)
AGENCIES = frozenset({ABH, MBE, "jobcenter-leipzig"})


def built(events: list[dict[str, object]]) -> Case:
    return build(parse_line(5, line(events), NOW), AGENCIES)


def refusal(events: list[dict[str, object]]) -> LineProblem:
    with pytest.raises(LineRefused) as refused:
        built(events)
    (problem,) = refused.value.problems
    assert problem.line == 5
    return problem


def test_a_history_that_keeps_the_rules_is_rebuilt_with_its_own_times() -> None:
    case = built(story())
    assert case.version == 4
    assert case.lead_agency == ABH
    assert case.referrals["referral-1"].status == "accepted"
    assert [e.timestamp.hour for e in case.pending_events] == [8, 9, 10, 11]
    assert case.pending_events[3].recorded_by == MBE


def test_disclosure_without_consent_is_refused_with_the_consent_details() -> None:
    problem = refusal([opening(), referral(hours=1)])
    assert (problem.code, problem.event) == ("consent-required", 1)
    assert problem.as_json()["recipient"] == MBE
    assert problem.as_json()["categories"] == ["contact", "identity"]


def test_consent_is_judged_at_the_event_s_time_not_now() -> None:
    withdrawn = event("ConsentWithdrawn", ABH, 2, consent_id="consent-1")
    problem = refusal([opening(), consent(), withdrawn, referral(hours=3)])
    assert (problem.code, problem.event) == ("consent-required", 3)


def test_a_rule_of_the_case_is_an_invalid_event() -> None:
    accept_own = event("ReferralAccepted", ABH, 3, referral_id="referral-1")
    problem = refusal([opening(), consent(), referral(), accept_own])
    assert (problem.code, problem.event) == ("invalid-event", 3)
    assert "only the addressed agency" in problem.detail


def test_nothing_but_a_withdrawal_follows_the_closing() -> None:
    closed = event("CaseClosed", ABH, 1, reason="done")
    assert refusal([opening(), closed, consent(hours=2)]).code == "invalid-event"


def test_recording_agencies_must_be_registered() -> None:
    stranger = opening()
    stranger["recorded_by"]["agency"] = "abh-nowhere"
    problem = refusal([stranger])
    assert (problem.code, problem.loc) == ("invalid-event", ("events", 0, "recorded_by"))


def test_consent_recipients_must_be_registered() -> None:
    unknown = consent()
    unknown["data"]["recipients"] = ["mbe-nowhere"]
    assert "unknown recipient agencies: mbe-nowhere" in refusal([opening(), unknown]).detail


def test_an_agency_without_a_relation_to_the_case_cannot_record_on_it() -> None:
    unrelated = event("QualificationRecorded", "jobcenter-leipzig", 1, title="x", country="SY")
    problem = refusal([opening(), unrelated])
    assert "no relation to the case" in problem.detail


def test_a_transfer_a_statutory_rule_covers_is_imported_without_consent() -> None:
    rule = StatutoryRule(
        "abh-to-counselling", frozenset({"auslaenderbehoerde"}),
        frozenset({"migrationsberatung"}), frozenset({Category.IDENTITY, Category.CONTACT}),
        Purpose.COUNSELLING, Norm("§ 1 Beispielgesetz", "example"), date(2020, 1, 1), None,
    )  # fmt: skip
    statute = Statute((RuleVersion(rule, datetime(2020, 1, 1, tzinfo=UTC), None),))
    kinds = {ABH: "auslaenderbehoerde", MBE: "migrationsberatung"}
    grounds = Grounds(statute, lambda agency: kinds.get(agency, ""))

    case = build(parse_line(5, line([opening(), referral(hours=1)]), NOW), AGENCIES,
                 grounds=grounds)  # fmt: skip

    assert case.referrals["referral-1"].to_agency == MBE
