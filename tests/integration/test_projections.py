"""Projections are exactly-once: rebuilds equal live views, failures leave no trace."""

import json
import time
from datetime import date
from typing import Any

import pytest

from coordination.adapters.store import keys as keys_module
from coordination.bootstrap import Services, bootstrap
from coordination.domain.identity import Agency, AgencyKind, Caller, Principal, Role
from projections.caseload.cards import PARTS, facts_of
from projections.caseload.view import CaseloadView
from projections.runner import Follower
from tests.people import PERSON

ABH, MBE = "abh-leipzig", "mbe-leipzig"
PERSON_DAY = date(2026, 9, 1)


def caller(svc: Services, agency_id: str) -> Caller:
    if svc.directory.get_agency(agency_id) is None:
        svc.directory.add_agency(Agency(agency_id, agency_id, AgencyKind.OTHER, "leipzig"))
    agency = svc.directory.get_agency(agency_id)
    assert agency is not None
    return Caller(Principal(agency, Role.CASEWORKER, "t", f"{agency_id}-system"), "test")


def story(svc: Services, cases: int = 3) -> None:
    """A few cases with consents, referrals in every state, courses and milestones."""
    abh, mbe = caller(svc, ABH), caller(svc, MBE)
    record = svc.cases.record_event
    for n in range(cases):
        case_id = svc.cases.open_case(abh, {"person": PERSON, "municipality": "leipzig"}, None)
        cid = case_id.case_id
        record(abh, cid, "ConsentGranted", {
            "recipients": [MBE], "purposes": ["counselling", "case_management", "language_course"],
            "categories": ["identity", "contact", "integration_plan"], "given_on": PERSON_DAY,
            "evidence": {"method": "written"}}, None, None)  # fmt: skip
        record(abh, cid, "ReferralSent", {"to_agency": MBE, "purpose": "counselling",
                                          "categories": ["identity"]}, None, None)  # fmt: skip
        if n % 2:
            record(mbe, cid, "ReferralAccepted", {"referral_id": "referral-1"}, None, None)
        record(abh, cid, "CourseAssigned", {"course_type": "integration_course",
                                            "provider": MBE}, None, None)  # fmt: skip
        record(
            abh,
            cid,
            "AgreementConcluded",
            {
                "signed_on": PERSON_DAY,
                "milestones": [{"title": "Kurs", "due_on": PERSON_DAY, "responsible_agency": MBE}],
            },
            None,
            None,
        )
        if n == 2:
            record(abh, cid, "ConsentWithdrawn", {"consent_id": "consent-1"}, None, None)


SEALED_COLUMNS = {"given_name": "given-name", "family_name": "family-name",
                  "title": "milestone-title"}  # fmt: skip


def rows(view: CaseloadView) -> dict[str, list[tuple[Any, ...]]]:
    """Every row, with sealed texts opened (their ciphertexts differ by nonce)."""
    return {
        table: sorted(tuple(opened(view, r).values())
                      for r in view.rows(f"SELECT * FROM {{p}}{table}"))
        for table in view.table_names
    }  # fmt: skip


def opened(view: CaseloadView, row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: view.open(row["case_id"], v, SEALED_COLUMNS[k]) if k in SEALED_COLUMNS
        else opened_card(view, row["case_id"], v) if k == "card" else v
        for k, v in row.items()
    }  # fmt: skip


def opened_card(view: CaseloadView, case_id: str, card: str | None) -> str | None:
    """A card as comparable text: its sealed titles opened, its keys in order."""
    if card is None:
        return None
    facts = facts_of({"case_id": case_id, "card": card})
    parts = {part: [opened(view, r) for r in getattr(facts, part)] for part in PARTS}
    return json.dumps(parts, sort_keys=True)


@pytest.fixture
def follower(services: Services) -> Follower:
    return Follower(services.app, services.projection("caseload"), batch_size=7)


def test_a_rebuild_from_zero_equals_the_live_view(services: Services, follower: Follower) -> None:
    story(services)
    follower.catch_up()
    live = rows(services.caseload)
    assert sum(len(t) for t in live.values()) > 10

    services.caseload.clear()
    assert services.caseload.position(services.app.name) == 0
    follower.catch_up()

    assert rows(services.caseload) == live
    assert (
        services.caseload.position(services.app.name) == services.app.recorder.max_notification_id()
    )


def test_a_failure_mid_batch_leaves_nothing_and_a_restart_catches_up(
    services: Services, follower: Follower, monkeypatch: pytest.MonkeyPatch
) -> None:
    story(services)
    follower.catch_up()
    expected = rows(services.caseload)
    services.caseload.clear()

    # 1. The third referral fails to project, in the middle of a batch.
    calls = {"n": 0}
    original = CaseloadView.referral_sent

    def flaky(self: CaseloadView, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        original(self, *args)

    monkeypatch.setattr(CaseloadView, "referral_sent", flaky)
    with pytest.raises(RuntimeError):
        follower.catch_up()

    # 2. Batches before the failure are in; the failing batch left no row and no position.
    stopped_at = services.caseload.position(services.app.name)
    assert 0 < stopped_at < (services.app.recorder.max_notification_id() or 0)

    # 3. A restarted follower resumes from there and ends exactly where a rebuild does.
    monkeypatch.setattr(CaseloadView, "referral_sent", original)
    Follower(services.app, services.projection("caseload"), batch_size=7).catch_up()
    assert rows(services.caseload) == expected


def test_the_runner_recovers_from_a_failure_by_itself(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    story(services, cases=1)
    failures = {"left": 1}
    original = CaseloadView.course_assigned

    def fails_once(self: CaseloadView, *args: Any) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("connection lost")
        original(self, *args)

    monkeypatch.setattr(CaseloadView, "course_assigned", fails_once)
    runner = services.runner
    services.run_projections()
    try:
        head = services.app.recorder.max_notification_id()
        assert wait_until(lambda: services.caseload.position(services.app.name) == head)
        (status,) = [s for s in runner.statuses() if s.name == "caseload"]
        assert (status.lag, status.running, status.error) == (0, True, None)
    finally:
        runner.stop()


def wait_until(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_projections_catching_up_together_never_stall_each_other(services: Services) -> None:
    # Regression: a batch that opened a second connection inside its write transaction
    # (to read a case key) deadlocked, on SQLite, with a writer waiting for the pool.
    story(services, cases=4)
    # A process that did not write the events has no case key cached, as at start-up.
    fresh = bootstrap(services.settings, services.app.clock)
    runner = fresh.runner
    fresh.run_projections()
    try:
        head = fresh.app.recorder.max_notification_id()
        assert wait_until(lambda: all(s.position == head for s in runner.statuses()))
        assert [f.failures for f in runner.followers] == [0] * len(runner.followers)
    finally:
        fresh.close()


def test_a_rebuild_that_reads_every_case_key_from_the_store_mid_batch(
    services: Services, follower: Follower, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long rebuild outlives the key cache: handlers then read keys through the batch's
    transaction while its writes wait to be sent; the rebuild must not notice."""
    story(services, cases=12)
    follower.catch_up()
    live = rows(services.caseload)
    monkeypatch.setattr(keys_module, "KEY_TTL_SECONDS", -1.0)  # every key read goes to the store
    services.app.keys._cache.clear()
    services.caseload.clear()
    Follower(services.app, services.projection("caseload"), batch_size=500).catch_up()
    assert rows(services.caseload) == live
