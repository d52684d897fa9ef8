"""The rule book as one more stream of the cases' store: in clear, on the hash chains,
passed by the read models, never taken for a case; the statute in memory catching up
with other processes at the cost of one query for what is new."""

import json
import threading
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from consent import Category, Norm, Purpose, StatutoryRule
from coordination.application.errors import CaseNotFound, Forbidden
from coordination.application.rule_book import RuleBookStore
from coordination.bootstrap import Services
from coordination.domain.identity import Actor, Role
from coordination.domain.statutory import BOOK_ID, STARTER_SET, starter_book
from coordination.services.statutory import Editor, record_starter_set
from projections.runner import Follower
from tests.support import STARTER_EVENTS

ADMIN = Editor(Actor("kommune-leipzig", "admin"), Role.ADMIN)
RULE = StatutoryRule(
    rule_id="land-rule", from_kinds=frozenset({"kommune"}),
    to_kinds=frozenset({"integrationsmanagement"}),
    categories=frozenset({Category.INTEGRATION_PLAN}), purpose=Purpose.CASE_MANAGEMENT,
    norm=Norm("§ 5 LIntG (example)", "integration plan to the managers"),
    valid_from=date(2026, 1, 1), valid_until=None,
)  # fmt: skip


def stored_book(services: Services) -> list[dict[str, Any]]:
    recorder: Any = services.app.recorder
    return [json.loads(e.state) for e in recorder.select_events(BOOK_ID)]


def test_the_book_is_stored_in_clear_with_no_case_key_and_on_the_hash_chains(
    services: Services,
) -> None:
    stored = stored_book(services)
    assert len(stored) == STARTER_EVENTS
    assert {e["s"] for e in stored} == {None}  # nothing sealed: no personal data in it
    assert stored[1]["c"]["reason"] == "in force by law"
    key = services.db.fetch_one("SELECT * FROM {p}case_keys WHERE case_id = %s", (str(BOOK_ID),))
    assert key is None
    book = services.integrity.verify(BOOK_ID)
    assert (book.ok, book.events_checked) == (True, STARTER_EVENTS)
    assert services.integrity.verify().ok


def test_the_book_is_no_case(services: Services) -> None:
    with pytest.raises(CaseNotFound):
        services.app.get_case(BOOK_ID)
    with pytest.raises(CaseNotFound):
        services.app.history(BOOK_ID)


def test_the_read_models_pass_the_book_by(services: Services) -> None:
    services.statutory.add(ADMIN, RULE, "reviewed")
    for name in ("caseload", "statistics"):
        projection = services.projection(name)
        assert Follower(services.app, projection).catch_up() == STARTER_EVENTS + 1
        view = projection.view
        assert [view.rows(f"SELECT * FROM {{p}}{table}") for table in view.table_names] == [
            [] for _ in view.table_names
        ]


def test_the_statute_reads_only_what_is_new_and_follows_other_processes(
    services: Services, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    real = services.statutory.store.events_after
    monkeypatch.setattr(services.statutory.store, "events_after",
                        lambda version: asked.append(version) or real(version))  # fmt: skip

    first = services.statutory.statute()
    assert services.statutory.statute() is first  # nothing new: the same statute
    other.statutory.add(ADMIN, RULE, "reviewed")  # another process writes
    assert RULE in services.statutory.statute().rules_at(services.app.clock())
    assert asked == [0, STARTER_EVENTS, STARTER_EVENTS]
    assert len(first.versions) == len(STARTER_SET)  # a statute, once answered, stays as it was


def test_admins_changing_the_book_at_once_both_land(services: Services, other: Services) -> None:
    together = threading.Barrier(2)
    done: list[int] = []

    def add(svc: Services, rule_id: str) -> None:
        together.wait()
        done.append(svc.statutory.add(ADMIN, replace(RULE, rule_id=rule_id), "r").version)

    threads = [threading.Thread(target=add, args=(s, f"rule-{i}"))
               for i, s in enumerate((services, other))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(done) == [STARTER_EVENTS + 1, STARTER_EVENTS + 2]
    assert {"rule-0", "rule-1"} <= {s.rule.rule_id for s in services.statutory.rules().rules}


def test_only_admins_change_the_book(services: Services) -> None:
    caseworker = Editor(ADMIN.actor, Role.CASEWORKER)
    with pytest.raises(Forbidden):
        services.statutory.add(caseworker, RULE, "r")
    with pytest.raises(Forbidden):
        services.statutory.retire(caseworker, STARTER_SET[0].rule_id, "r")
    assert len(services.statutory.history()) == STARTER_EVENTS


def test_the_starter_set_is_recorded_once_whoever_tries_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert record_starter_set(services.app) == 0  # the book has events already
    # A process that found the book empty just before another recorded it loses the race.
    monkeypatch.setattr(RuleBookStore, "exists", lambda store: False)
    assert record_starter_set(services.app) == 0
    assert len(stored_book(services)) == STARTER_EVENTS
    with pytest.raises(IntegrityError):  # what the losing process meets, and passes by
        services.statutory.store.save(starter_book(services.app.clock()))
